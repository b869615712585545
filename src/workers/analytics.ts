import type { Job } from 'bullmq';
import { applyOnce, wasApplied } from '../services/analytics/apply-once';
import { deltaForEvent } from '../services/analytics/event-delta';
import { eventWithReads } from './job-input';

/**
 * analytics: adds each event to its day's rollup, once per event id. Its reads go out with
 * the check that the event was committed: analytics jobs run one at a time across every
 * process, so its round trips are the queue's throughput.
 */
export function analyticsProcessor() {
  return async (job: Job): Promise<{ day: string; applied: boolean }> => {
    const [ev, [delta, appliedBefore]] = await eventWithReads(job, (e) =>
      Promise.all([deltaForEvent(e), wasApplied(e.eventId)]),
    );
    const applied = await applyOnce(ev.eventId, delta, appliedBefore);
    return { day: delta.day, applied };
  };
}
