import { AnalyticsAppliedEvent, EmailDelivery, Refund, ReturnRequest } from '../../models';
import { isFannedOut } from '../webhooks/fan-out';
import { customerSyncedSince } from '../customer-stats/sync-record';
import type { CommittedEvent } from '../committed-events';
import { EVENT_EFFECTS, type Effect } from '../../shared/names';

/** A recorded event and when the relay recorded it (after its commit). */
export interface RecordedEvent extends CommittedEvent {
  recordedAt: Date;
}

/**
 * Whether an effect of an event is done, judged by what the effect itself leaves behind
 * (never by the queue, which may have lost the job): an email marked sent, the event's
 * row among those applied to analytics, customer totals read after the event, the
 * refund entry in the state the event asks for, the event's deliveries made for its subscriptions.
 */
const DONE: Record<Effect, (ev: RecordedEvent) => Promise<boolean>> = {
  emails: async (ev) => (await EmailDelivery.exists({ _id: ev.eventId, state: 'sent' })) !== null,
  analytics: async (ev) => (await AnalyticsAppliedEvent.exists({ _id: ev.eventId })) !== null,
  'customer-stats': async (ev) => ev.customerId === null || customerSyncedSince(ev.customerId, ev.recordedAt),
  refunds: async (ev) => {
    if (!ev.returnId) return true;
    if (ev.type === 'return.completed')
      return (await Refund.exists({ returnId: ev.returnId, status: 'Completed' })) !== null;
    if (await Refund.exists({ returnId: ev.returnId })) return true;
    return (await ReturnRequest.exists({ returnId: ev.returnId, status: 'Rejected' })) !== null;
  },
  webhooks: (ev) => isFannedOut(ev.eventId),
};

/** The effects of the event not found done. */
export async function missingEffects(ev: RecordedEvent): Promise<Effect[]> {
  const effects = EVENT_EFFECTS[ev.type];
  const done = await Promise.all(effects.map((effect) => DONE[effect](ev)));
  return effects.filter((_, i) => !done[i]);
}
