import { Refund, ReturnRequest } from '../../models';
import type { ReturnRequestDoc } from '../../models/return-request';
import { ReturnNotSettledError, UnprocessableError } from '../../shared/errors';
import { insertOnce } from '../../models/insert-once';
import { withOrderLock } from '../order-write';
import { loadReturn } from '../returns/load-return';

export type RefundOutcome = 'recorded' | 'already-recorded' | 'not-approved' | 'completed';

/** The ledger entry of an approved return; unique per return, so a rerun adds nothing. */
async function ensureLedgerEntry(
  ret: ReturnRequestDoc,
  eventId: string,
  status: 'Processed' | 'Completed',
): Promise<boolean> {
  if (!ret.refundAmount || ret.refundAmount <= 0) {
    throw new UnprocessableError(
      'Approved return has no refund amount',
      'refundAmount',
      `return ${ret.returnId} was approved without a refund amount`,
    );
  }
  return insertOnce(Refund, {
    returnId: ret.returnId,
    returnRef: ret._id,
    orderRef: ret.orderId,
    orderId: ret.orderIdString,
    userId: ret.userId,
    amount: ret.refundAmount,
    status,
    eventId,
    completedAt: status === 'Completed' ? new Date() : null,
  });
}

/**
 * Moves the return's refundStatus forward only (compare-and-set on the current one), under
 * its order's lock: the returns service writes the same document under that lock, and
 * FerretDB v1 would otherwise let one of two concurrent writes overwrite the other.
 */
async function setRefundStatus(
  ret: ReturnRequestDoc,
  from: ('Pending' | 'Processed')[],
  to: 'Processed' | 'Completed',
): Promise<void> {
  await withOrderLock(ret.orderId, () =>
    ReturnRequest.updateOne({ _id: ret._id, refundStatus: { $in: from } }, { $set: { refundStatus: to } }),
  );
}

/**
 * return.reviewed: an approved return gets its refund entry, and the return's
 * refundStatus moves Pending → Processed (compare-and-set, so it never moves back).
 */
export async function recordApprovedRefund(returnId: string, eventId: string): Promise<RefundOutcome> {
  const ret = await loadReturn(returnId);
  if (ret.status === 'Pending') throw new ReturnNotSettledError(`return ${returnId} is not reviewed yet`);
  if (ret.status === 'Rejected') return 'not-approved';
  const created = await ensureLedgerEntry(ret, eventId, ret.status === 'Completed' ? 'Completed' : 'Processed');
  await setRefundStatus(ret, ['Pending'], 'Processed');
  return created ? 'recorded' : 'already-recorded';
}

/**
 * return.completed: the refund is paid out. Also creates the entry if the review's job has
 * not run yet (jobs of one queue may run in any order).
 */
export async function completeRefund(returnId: string, eventId: string): Promise<RefundOutcome> {
  const ret = await loadReturn(returnId);
  if (ret.status !== 'Completed') throw new ReturnNotSettledError(`return ${returnId} is not completed yet`);
  const now = new Date();
  await ensureLedgerEntry(ret, eventId, 'Completed');
  await Refund.updateOne({ returnId, status: 'Processed' }, { $set: { status: 'Completed', completedAt: now } });
  await setRefundStatus(ret, ['Pending', 'Processed'], 'Completed');
  return 'completed';
}
