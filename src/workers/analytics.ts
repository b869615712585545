import type { Job } from 'bullmq';
import { applyOnce } from '../services/analytics/apply-once';
import { deltaForEvent } from '../services/analytics/event-delta';
import { eventOf } from './job-input';

/** analytics: adds each event to its day's rollup, once per event id. */
export function analyticsProcessor() {
  return async (job: Job): Promise<{ day: string; applied: boolean }> => {
    const ev = await eventOf(job);
    const delta = await deltaForEvent(ev);
    const applied = await applyOnce(ev.eventId, delta);
    return { day: delta.day, applied };
  };
}
