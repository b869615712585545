import { OrderEvent } from '../../models';
import type { OrderEventDoc } from '../../models/order-event';
import { committedEventFromRecord, type CommittedEvent } from '../committed-events';
import { missingEffects } from './effect-done';
import type { Effect } from '../../shared/names';

export interface ReconcileWindow {
  /** Events recorded before this are past the guarantee and left alone. */
  from: Date;
  /** Events recorded after this are still in the normal flow's hands. */
  to: Date;
}

export interface ReconcileOutcome {
  checked: number;
  settled: number;
  requeued: number;
}

/**
 * The safety net under the queue (DESIGN.md 10): every recorded event of the window whose
 * effects are not all found done is handed to `requeue` with what is missing (it must be
 * idempotent: the job may still be on its way); an event found complete is marked settled
 * and not looked at again. Whatever Redis lost, the effects of the window happen.
 */
export async function reconcileEffects(
  window: ReconcileWindow,
  requeue: (event: CommittedEvent, missing: readonly Effect[]) => Promise<void>,
): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { checked: 0, settled: 0, requeued: 0 };
  const settled: string[] = [];
  const unsettled = OrderEvent.find({ settled: false, recordedAt: { $gte: window.from, $lte: window.to } })
    .lean<OrderEventDoc[]>()
    .cursor();
  for await (const doc of unsettled) {
    outcome.checked++;
    const event = committedEventFromRecord(doc);
    const missing = await missingEffects({ ...event, recordedAt: doc.recordedAt });
    if (missing.length) {
      await requeue(event, missing);
      outcome.requeued++;
    } else settled.push(doc._id);
  }
  if (settled.length)
    outcome.settled = (
      await OrderEvent.updateMany({ _id: { $in: settled } }, { $set: { settled: true } })
    ).modifiedCount;
  return outcome;
}
