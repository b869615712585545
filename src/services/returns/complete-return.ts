import { ReturnRequest } from '../../models';
import type { OrderDoc } from '../../models/order';
import type { ReturnRequestDoc } from '../../models/return-request';
import type { ServiceDeps } from '../deps';
import { ConflictError, UnprocessableError } from '../errors';
import { newEvent, type RequestMeta } from '../order-events';
import { commitChangeHoldingLock, withOrderLock } from '../order-write';
import type { Principal } from '../principal';
import { finishStep, undoStep } from './return-steps';

/**
 * The goods of an approved return came back: the return becomes Completed and the order
 * 'Returned', in one commit whose single `return.completed` event carries the status
 * change (one history row, one email, the refund and the statistics).
 */
export async function completeReturn(
  deps: ServiceDeps,
  principal: Principal,
  order: OrderDoc,
  notes: string | null,
  meta: RequestMeta,
): Promise<OrderDoc> {
  const rr = order.returnApproved === true ? await ReturnRequest.findOne({ orderId: order._id, status: 'Approved', pendingStep: null }).lean<ReturnRequestDoc>() : null;
  if (!rr) {
    throw new UnprocessableError('Invalid status transition', 'status', "An order becomes 'Returned' only once its return request has been approved");
  }
  const now = new Date();
  const event = newEvent('return.completed', principal, { from: order.status, to: 'Returned', notes }, meta, { returnId: rr.returnId }, now);
  // Under the order's lock, so of two completions exactly one claims the return.
  const updated = await withOrderLock(order._id, async () => {
    const claim = await ReturnRequest.findOneAndUpdate(
      { _id: rr._id, status: 'Approved', pendingStep: null },
      { $set: { status: 'Completed', completedAt: now, pendingStep: 'completion', pendingSince: now } },
      { new: true },
    ).lean<ReturnRequestDoc>();
    if (!claim) throw new ConflictError('The return was completed by another request at the same time');
    let committed: OrderDoc;
    try {
      committed = await commitChangeHoldingLock(order, { status: 'Returned', updatedBy: principal.userId }, [event]);
    } catch (err) {
      await undoStep(claim, 'completion');
      throw err;
    }
    await finishStep(claim, 'completion');
    return committed;
  });
  await deps.relay(updated);
  return updated;
}
