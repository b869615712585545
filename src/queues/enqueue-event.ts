import type { CommittedEvent } from '../services/committed-events';
import type { Queues } from './queues';
import { EVENT_EFFECTS, type Effect } from '../shared/names';

/**
 * Queues an event's job on the queue of each effect, under the event's id: adding it again
 * while a job of that id exists (waiting, running, kept after it ended) adds nothing.
 */
export async function enqueueEvent(
  queues: Queues,
  event: CommittedEvent,
  effects: readonly Effect[] = EVENT_EFFECTS[event.type],
): Promise<void> {
  await Promise.all(effects.map((effect) => queues[effect].add(event.type, event, { jobId: event.eventId })));
}
