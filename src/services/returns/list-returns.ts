import type { SortOrder } from 'mongoose';
import type { ListReturnsQuery } from '../../api/schemas/returns';
import { ReturnRequest } from '../../models';
import type { ReturnRequestDoc } from '../../models/return-request';
import { paginate, type Page } from '../pagination';

/** Return requests for the desk, newest first unless asked otherwise. */
export async function listReturns(q: ListReturnsQuery): Promise<Page<ReturnRequestDoc>> {
  // A request whose order commit has not happened yet is not a return request yet.
  const filter: Record<string, unknown> = { pendingStep: { $ne: 'request' } };
  if (q.status) filter.status = q.status;
  if (q.reasonCategory) filter.reasonCategory = q.reasonCategory;
  if (q.orderId) filter.orderIdString = q.orderId;
  if (q.from || q.to) filter.requestedAt = { ...(q.from && { $gte: q.from }), ...(q.to && { $lte: q.to }) };
  const dir: SortOrder = q.sortOrder === 'asc' ? 1 : -1;
  return paginate<ReturnRequestDoc>(ReturnRequest, filter, { [q.sortBy]: dir, _id: dir }, q.page, q.limit);
}
