import { ReturnRequest } from '../../models';
import type { ReturnReasonCategory, ReturnRequestDoc, ReturnStatus } from '../../models/return-request';
import { between, dropUnset, paginate, sortedBy, type Page, type PageRequest } from '../pagination';

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
  const filter = dropUnset({
    pendingStep: { $ne: 'request' },
    status: q.status,
    reasonCategory: q.reasonCategory,
    orderIdString: q.orderId,
    requestedAt: between(q.from, q.to),
  });
  return paginate<ReturnRequestDoc>(ReturnRequest, filter, sortedBy(q.sortBy, q.sortOrder), q.page, q.limit);
}
