import { Order, ReturnRequest } from '../../models';
import type { OrderDoc } from '../order-state';
import { RETURN_PENDING_STEPS, type ReturnPendingStep, type ReturnRequestDoc } from '../../models/return-request';
import { commitChangeHoldingLock, withOrderLock } from '../order-write';
import { finishStep, undoStep } from './return-steps';

/**
 * How long a step may stay pending before it is presumed abandoned (its process died
 * between writing the return request and finishing). Far above any real request's time.
 */
export const ABANDONED_AFTER_MS = 30_000;

const sameInstant = (a: Date | null | undefined, b: Date | null | undefined) =>
  Boolean(a && b && a.getTime() === b.getTime());

/** Whether the order carries the commit of the return's pending step (each commit stamps a time the step also recorded). */
function committed(rr: ReturnRequestDoc, step: ReturnPendingStep, order: OrderDoc): boolean {
  switch (step) {
    case 'request':
      return sameInstant(order.returnRequestedAt, rr.requestedAt);
    case 'review':
      return sameInstant(order.returnApprovedAt, rr.reviewedAt);
    case 'completion':
      return order.status === 'Returned';
    case 'deletion':
      return false;
  }
}

/** `left`: the step found is not the stale one asked about (it settled, and another began). */
export type Outcome = 'finished' | 'undone' | 'left';

/**
 * Finishes a return request's pending step if the order committed it, undoes it if not.
 * Decided under the order's lock; before undoing, the order's version is bumped (a
 * fence), so a slow request still about to commit the step loses instead of committing
 * a step that was just undone.
 */
export async function reconcileReturn(stale: ReturnRequestDoc): Promise<Outcome> {
  return withOrderLock(stale.orderId, async () => {
    const rr = await ReturnRequest.findById(stale._id).lean<ReturnRequestDoc>();
    const step = rr?.pendingStep as ReturnPendingStep | null | undefined;
    if (!rr || !step) return rr ? 'finished' : 'undone';
    if (!sameInstant(rr.pendingSince, stale.pendingSince)) return 'left';
    const order = await Order.findById(rr.orderId, { outbox: 0 }).lean<OrderDoc>();
    if (!order) {
      // The order was deleted; its return requests go with it.
      await ReturnRequest.deleteOne({ _id: rr._id });
      return 'undone';
    }
    if (committed(rr, step, order)) {
      await finishStep(rr, step);
      return 'finished';
    }
    if (step !== 'deletion') await commitChangeHoldingLock(order, {}, []);
    await undoStep(rr, step);
    return 'undone';
  });
}

/** True when a pending step has waited long enough to be presumed abandoned. */
export function isAbandoned(rr: ReturnRequestDoc, now: Date = new Date(), afterMs = ABANDONED_AFTER_MS): boolean {
  return Boolean(rr.pendingStep && rr.pendingSince && now.getTime() - rr.pendingSince.getTime() >= afterMs);
}

/**
 * Settles return requests whose pending step was abandoned by a crash; returns how many
 * it looked at. Run periodically, next to the outbox sweeper.
 */
export async function reconcileReturnRequests(opts: { olderThanMs?: number; batch?: number } = {}): Promise<number> {
  const cutoff = new Date(Date.now() - (opts.olderThanMs ?? ABANDONED_AFTER_MS));
  const stuck = await ReturnRequest.find({ pendingStep: { $in: RETURN_PENDING_STEPS }, pendingSince: { $lte: cutoff } })
    .limit(opts.batch ?? 100)
    .lean<ReturnRequestDoc[]>();
  for (const rr of stuck) await reconcileReturn(rr);
  return stuck.length;
}
