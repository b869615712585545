import type { ReturnRequestDoc } from '../../models/return-request';
import type { Page } from '../../services/pagination';
import { toDecimal } from '../../services/pricing';
import { presentPagination } from './pagination';

/** How return requests look on the wire (guide 4.5, 4.7): decimals for money, ISO dates. */

const money = (minor: number | null | undefined) => (minor === null || minor === undefined ? null : toDecimal(minor));

/** Which return of which order, and where it stands. */
const which = (rr: ReturnRequestDoc) => ({ returnId: rr.returnId, orderId: rr.orderIdString, status: rr.status });

/** The answer to a customer's return request (guide 4.5). */
export function presentRequestedReturn(rr: ReturnRequestDoc) {
  return {
    ...which(rr),
    reason: rr.reason,
    reasonCategory: rr.reasonCategory,
    description: rr.description ?? undefined,
    items: rr.items.map((l) => ({
      orderItemId: l.orderItemId.toHexString(),
      productName: l.productName,
      quantity: l.quantity,
    })),
    requestedAt: rr.requestedAt,
  };
}

/** The answer to a review (guide 4.7). */
export function presentReview(rr: ReturnRequestDoc) {
  return {
    ...which(rr),
    refundAmount: money(rr.refundAmount),
    approvalNotes: rr.approvalNotes,
    reviewedBy: rr.reviewedBy,
    reviewedAt: rr.reviewedAt,
  };
}

/** A return request in the desk's list. */
export function presentReturnRequest(rr: ReturnRequestDoc) {
  return {
    returnId: rr.returnId,
    orderId: rr.orderIdString,
    userId: rr.userId,
    requestedBy: rr.requestedBy,
    reason: rr.reason,
    reasonCategory: rr.reasonCategory,
    description: rr.description,
    items: rr.items.map((l) => ({
      orderItemId: l.orderItemId.toHexString(),
      productId: l.productId,
      productName: l.productName,
      quantity: l.quantity,
      returnReason: l.returnReason,
    })),
    status: rr.status,
    requestedAt: rr.requestedAt,
    reviewedBy: rr.reviewedBy,
    reviewedByName: rr.reviewedByName,
    reviewedAt: rr.reviewedAt,
    approvalNotes: rr.approvalNotes,
    refundAmount: money(rr.refundAmount),
    refundStatus: rr.refundStatus,
    completedAt: rr.completedAt,
    createdAt: rr.createdAt,
    updatedAt: rr.updatedAt,
  };
}

/** A page of the desk's return requests (guide 3.2.6). */
export const presentReturnPage = (page: Page<ReturnRequestDoc>) => ({
  returns: page.rows.map(presentReturnRequest),
  pagination: presentPagination(page),
});
