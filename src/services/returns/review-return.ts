import type { ReviewReturnInput } from '../../api/schemas/returns';
import { Order, ReturnRequest } from '../../models';
import type { OrderDoc } from '../../models/order';
import type { ReturnRequestDoc } from '../../models/return-request';
import type { ServiceDeps } from '../deps';
import { BusinessRuleError, ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../errors';
import { newEvent, type RequestMeta } from '../order-events';
import { commitChangeHoldingLock, withOrderLock } from '../order-write';
import type { Principal } from '../principal';
import { toDecimal, toMinor } from '../pricing';
import { loadReturn } from './load-return';
import { refundableValue } from './refundable';
import { finishStep, undoStep } from './return-steps';

/**
 * An administrator approves or rejects a pending return, once. The decision is claimed on
 * the return request (a second reviewer loses there), then committed on the order with a
 * `return.reviewed` event: a rejection sends the order back to 'Delivered' and frees its
 * items; an approval keeps it in 'Return Requested', awaiting the goods.
 */
export async function reviewReturn(
  deps: ServiceDeps,
  principal: Principal,
  returnId: string,
  input: ReviewReturnInput,
  meta: RequestMeta,
): Promise<ReturnRequestDoc> {
  const rr = await loadReturn(returnId);
  if (rr.status !== 'Pending') {
    throw new BusinessRuleError('Cannot review return request', 'status', `This return request has already been reviewed. Current status: ${rr.status}`);
  }
  const order = await Order.findById(rr.orderId, { outbox: 0 }).lean<OrderDoc>();
  if (!order) throw new NotFoundError('Order', 'orderId');
  if (order.status !== 'Return Requested') {
    throw new ConflictError(`The order is not awaiting this return. Current status: ${order.status}`);
  }

  const approved = input.decision === 'approved';
  const refundAmount = approved ? await checkedRefund(rr, input.refundAmount) : null;
  const now = new Date();
  const change = approved ? { from: null, to: null, notes: input.approvalNotes } : { from: order.status, to: 'Delivered' as const, notes: input.approvalNotes };
  const event = newEvent('return.reviewed', principal, change, meta, { returnId, decision: input.decision }, now);
  // Under the order's lock, so of two reviewers exactly one claims the return.
  let updated!: OrderDoc;
  const claimed = await withOrderLock(order._id, async () => {
    const claim = await ReturnRequest.findOneAndUpdate(
      { _id: rr._id, status: 'Pending', pendingStep: null },
      {
        $set: {
          status: approved ? 'Approved' : 'Rejected',
          reviewedBy: principal.userId,
          reviewedByName: principal.name ?? null,
          reviewedAt: now,
          approvalNotes: input.approvalNotes,
          refundAmount,
          pendingStep: 'review',
          pendingSince: now,
        },
      },
      { new: true },
    ).lean<ReturnRequestDoc>();
    if (!claim) throw new ConflictError('This return request was reviewed by another request at the same time');
    try {
      updated = await commitChangeHoldingLock(
        order,
        {
          ...(approved ? {} : { status: 'Delivered' }),
          returnApproved: approved,
          returnApprovedBy: principal.userId,
          returnApprovedAt: now,
          updatedBy: principal.userId,
        },
        [event],
      );
    } catch (err) {
      await undoStep(claim, 'review');
      throw err;
    }
    await finishStep(claim, 'review');
    return claim;
  });
  await deps.relay(updated);
  return { ...claimed, pendingStep: null, pendingSince: null };
}

/** The approved refund in minor units, no more than what the returned items were paid for. */
async function checkedRefund(rr: ReturnRequestDoc, amount: number | undefined): Promise<number> {
  if (amount === undefined) throw new ValidationError([{ field: 'refundAmount', message: 'Is required when the decision is approved' }]);
  const refund = toMinor(amount);
  const max = await refundableValue(rr);
  if (refund > max) {
    throw new UnprocessableError(
      'Refund amount exceeds the value of the returned items',
      'refundAmount',
      `Must be at most ${toDecimal(max).toFixed(2)}, what the returned items were paid for`,
    );
  }
  return refund;
}
