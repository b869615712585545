import { Order, ReturnRequest } from '../../models';
import type { OrderDoc } from '../order-state';
import type { ReturnRequestDoc } from '../../models/return-request';
import type { ServiceDeps } from '../deps';
import {
  BusinessRuleError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../../shared/errors';
import { newEvent, type RequestMeta } from '../order-events';
import { commitChangeHoldingLock } from '../order-write';
import type { Principal } from '../principal';
import { toDecimal, toMinor } from '../pricing';
import { loadReturn } from './load-return';
import { refundableValue } from './refundable';
import { decideReturnStep } from './return-steps';

/** An approval names the refund (a decimal amount); a rejection has none. */
export type ReviewReturnInput =
  | { decision: 'approved'; approvalNotes: string; refundAmount: number }
  | { decision: 'rejected'; approvalNotes: string; refundAmount?: undefined };

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
    throw new BusinessRuleError(
      'Cannot review return request',
      'status',
      `This return request has already been reviewed. Current status: ${rr.status}`,
    );
  }
  const order = await Order.findById(rr.orderId, { outbox: 0 }).lean<OrderDoc>();
  if (!order) throw new NotFoundError('Order', 'orderId');
  if (order.status !== 'Return Requested') {
    throw new ConflictError(`The order is not awaiting this return. Current status: ${order.status}`);
  }

  const approved = input.decision === 'approved';
  const refundAmount = approved ? await checkedRefund(rr, input.refundAmount) : null;
  const now = new Date();
  const change = approved
    ? { from: null, to: null, notes: input.approvalNotes }
    : { from: order.status, to: 'Delivered' as const, notes: input.approvalNotes };
  const event = newEvent(
    'return.reviewed',
    principal,
    change,
    meta,
    { returnId, decision: input.decision, reasonCategory: rr.reasonCategory },
    now,
  );
  // Of two reviewers exactly one claims the return.
  const { claimed, order: updated } = await decideReturnStep(
    order._id,
    'review',
    () =>
      ReturnRequest.findOneAndUpdate(
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
      ).lean<ReturnRequestDoc>(),
    () =>
      commitChangeHoldingLock(
        order,
        {
          ...(approved ? {} : { status: 'Delivered' }),
          returnApproved: approved,
          returnApprovedBy: principal.userId,
          returnApprovedAt: now,
          updatedBy: principal.userId,
        },
        [event],
      ),
    'This return request was reviewed by another request at the same time',
  );
  await deps.relay(updated);
  return { ...claimed, pendingStep: null, pendingSince: null };
}

/** The approved refund in minor units, no more than what the returned items were paid for. */
async function checkedRefund(rr: ReturnRequestDoc, amount: number | undefined): Promise<number> {
  if (amount === undefined)
    throw new ValidationError([{ field: 'refundAmount', message: 'Is required when the decision is approved' }]);
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
