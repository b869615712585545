import { ReturnRequest } from '../../models';
import type { ReturnReasonCategory, ReturnRequestDoc, ReturnStatus } from '../../models/return-request';
import { paginate, sortedBy, type Page, type PageRequest } from '../pagination';

export interface ListReturnsQuery extends PageRequest {
  sortBy: 'requestedAt' | 'refundAmount';
  status?: ReturnStatus;
  reasonCategory?: ReturnReasonCategory;
  from?: Date;
  to?: Date;
  orderId?: string;
}

/** Return requests for the desk, newest first unless asked otherwise. */
export async function listReturns(q: ListReturnsQuery): Promise<Page<ReturnRequestDoc>> {
  // A request whose order commit has not happened yet is not a return request yet.
  const filter: Record<string, unknown> = { pendingStep: { $ne: 'request' } };
  if (q.status) filter.status = q.status;
  if (q.reasonCategory) filter.reasonCategory = q.reasonCategory;
  if (q.orderId) filter.orderIdString = q.orderId;
  if (q.from || q.to) filter.requestedAt = { ...(q.from && { $gte: q.from }), ...(q.to && { $lte: q.to }) };
  return paginate<ReturnRequestDoc>(ReturnRequest, filter, sortedBy(q.sortBy, q.sortOrder), q.page, q.limit);
}
