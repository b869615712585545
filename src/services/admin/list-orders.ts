import type { SortOrder } from 'mongoose';
import type { AdminOrdersQuery } from '../../api/schemas/admin';
import { Order } from '../../models';
import type { OrderDoc } from '../../models/order';
import { ORDER_SUMMARY_FIELDS } from '../orders/list-my-orders';
import { paginate, type Page } from '../pagination';
import { toMinor } from '../pricing';

/** What the desk sees of each order in a list: the summary and whose order it is. */
export const DESK_ORDER_FIELDS = { ...ORDER_SUMMARY_FIELDS, userId: 1, customerId: 1, customerName: 1, customerEmail: 1 } as const;

/** Every customer's orders, filtered and sorted as asked (guide 3.2.1). */
export async function listOrders(q: AdminOrdersQuery): Promise<Page<OrderDoc>> {
  const filter: Record<string, unknown> = {};
  if (q.status) filter.status = q.status;
  if (q.userId) filter.userId = q.userId;
  if (q.customerId) filter.customerId = q.customerId;
  if (q.from || q.to) filter.orderDate = { ...(q.from && { $gte: q.from }), ...(q.to && { $lte: q.to }) };
  if (q.minAmount !== undefined || q.maxAmount !== undefined) {
    filter.totalAmount = {
      ...(q.minAmount !== undefined && { $gte: toMinor(q.minAmount) }),
      ...(q.maxAmount !== undefined && { $lte: toMinor(q.maxAmount) }),
    };
  }
  const dir: SortOrder = q.sortOrder === 'asc' ? 1 : -1;
  return paginate<OrderDoc>(Order, filter, { [q.sortBy]: dir, _id: dir }, q.page, q.limit, DESK_ORDER_FIELDS);
}
