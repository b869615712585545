import { ReturnRequest } from '../../models';
import type { OrderDoc } from '../order-state';
import type { ReturnRequestDoc } from '../../models/return-request';
import type { ServiceDeps } from '../deps';
import { UnprocessableError } from '../../shared/errors';
import { newEvent, type RequestMeta } from '../order-events';
import { commitChangeHoldingLock } from '../order-write';
import type { Principal } from '../principal';
import { decideReturnStep } from './return-steps';

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
  const rr =
    order.returnApproved === true
      ? await ReturnRequest.findOne({
          orderId: order._id,
          status: 'Approved',
          pendingStep: null,
        }).lean<ReturnRequestDoc>()
      : null;
  if (!rr) {
    throw new UnprocessableError(
      'Invalid status transition',
      'status',
      "An order becomes 'Returned' only once its return request has been approved",
    );
  }
  const now = new Date();
  const event = newEvent(
    'return.completed',
    principal,
    { from: order.status, to: 'Returned', notes },
    meta,
    { returnId: rr.returnId, decision: 'approved', reasonCategory: rr.reasonCategory },
    now,
  );
  // Of two completions exactly one claims the return.
  const { order: updated } = await decideReturnStep(
    order._id,
    'completion',
    () =>
      ReturnRequest.findOneAndUpdate(
        { _id: rr._id, status: 'Approved', pendingStep: null },
        { $set: { status: 'Completed', completedAt: now, pendingStep: 'completion', pendingSince: now } },
        { new: true },
      ).lean<ReturnRequestDoc>(),
    () => commitChangeHoldingLock(order, { status: 'Returned', updatedBy: principal.userId }, [event]),
    'The return was completed by another request at the same time',
  );
  await deps.relay(updated);
  return updated;
}
