import type { Types } from 'mongoose';
import { OrderItem, ReturnRequest } from '../../models';
import type { ReturnPendingStep, ReturnRequestDoc } from '../../models/return-request';
import { ConflictError } from '../../shared/errors';
import type { OrderDoc } from '../order-state';
import { withOrderLock } from '../order-write';

/**
 * Every change to a return request is written on the request first, marked with its
 * pending step, and decided by the order commit that follows (DESIGN.md 3: the order is
 * the commit point). After that commit the step is finished; if the commit lost or never
 * happened, the step is undone. Both are idempotent, so the reconciler can repeat them.
 */

const settled = { pendingStep: null, pendingSince: null };

/**
 * The one sequence of every return step, under the order's lock: claim the step on the
 * return request (null: someone else has it, 409), commit the order, then finish the step;
 * if the commit did not happen, undo the claim and let the error through.
 */
export async function decideReturnStep(
  orderRef: Types.ObjectId,
  step: ReturnPendingStep,
  claim: () => Promise<ReturnRequestDoc | null>,
  commit: () => Promise<OrderDoc>,
  lost: string,
): Promise<{ claimed: ReturnRequestDoc; order: OrderDoc }> {
  return withOrderLock(orderRef, async () => {
    const claimed = await claim();
    if (!claimed) throw new ConflictError(lost);
    let order: OrderDoc;
    try {
      order = await commit();
    } catch (err) {
      await undoStep(claimed, step);
      throw err;
    }
    await finishStep(claimed, step);
    return { claimed, order };
  });
}

/** The effects of a step whose order commit happened: item marks, then the step cleared. */
export async function finishStep(rr: ReturnRequestDoc, step: ReturnPendingStep): Promise<void> {
  switch (step) {
    case 'request':
      await markItemsRequested(rr);
      break;
    case 'review':
      if (rr.status === 'Rejected') await clearItemMarks(rr);
      break;
    case 'completion':
      await markItemsReturned(rr);
      break;
    case 'deletion':
      await ReturnRequest.deleteOne({ _id: rr._id });
      return;
  }
  await ReturnRequest.updateOne({ _id: rr._id, pendingStep: step }, { $set: settled });
}

/** Takes back a step whose order commit did not happen, as if it had never been tried. */
export async function undoStep(rr: ReturnRequestDoc, step: ReturnPendingStep): Promise<void> {
  switch (step) {
    case 'request':
      await ReturnRequest.deleteOne({ _id: rr._id, pendingStep: 'request' });
      return;
    case 'review':
      await ReturnRequest.updateOne(
        { _id: rr._id, pendingStep: 'review' },
        {
          $set: {
            status: 'Pending',
            reviewedBy: null,
            reviewedByName: null,
            reviewedAt: null,
            approvalNotes: null,
            refundAmount: null,
            ...settled,
          },
        },
      );
      return;
    case 'completion':
      await ReturnRequest.updateOne(
        { _id: rr._id, pendingStep: 'completion' },
        { $set: { status: 'Approved', completedAt: null, ...settled } },
      );
      return;
    case 'deletion':
      await ReturnRequest.updateOne({ _id: rr._id, pendingStep: 'deletion' }, { $set: settled });
      return;
  }
}

type ReturnLine = ReturnRequestDoc['items'][number];

/** Sets fields on each item the return names, one update per line, on this order's items only. */
async function setOnLines(rr: ReturnRequestDoc, fields: (line: ReturnLine) => Record<string, unknown>): Promise<void> {
  await OrderItem.bulkWrite(
    rr.items.map((line) => ({
      updateOne: { filter: { _id: line.orderItemId, orderId: rr.orderId }, update: { $set: fields(line) } },
    })),
  );
}

async function markItemsRequested(rr: ReturnRequestDoc): Promise<void> {
  await setOnLines(rr, (line) => ({
    returnRequested: true,
    returnQuantity: line.quantity,
    returnReason: line.returnReason ?? rr.reason,
    returnId: rr.returnId,
  }));
}

/** Only the marks this return made: a later return's marks on the same items stay. */
async function clearItemMarks(rr: ReturnRequestDoc): Promise<void> {
  await OrderItem.updateMany(
    { orderId: rr.orderId, returnId: rr.returnId },
    { $set: { returnRequested: false, returnQuantity: 0, returnReason: null, returnId: null } },
  );
}

async function markItemsReturned(rr: ReturnRequestDoc): Promise<void> {
  // Set, not incremented, so a repeat is harmless; 'Returned' is final, so an order
  // completes at most one return and nothing was returned before it.
  await setOnLines(rr, (line) => ({ returnedQuantity: line.quantity }));
}
