import { Order } from '../../models';
import type { OrderDoc } from '../order-state';
import { ORDER_SUMMARY_FIELDS } from '../orders/list-my-orders';
import type { OrderStatus } from '../order-state';
import { paginate, sortedBy, type Page, type PageRequest } from '../pagination';
import { toMinor } from '../pricing';

/** What the desk sees of each order in a list: the summary and whose order it is. */
export const DESK_ORDER_FIELDS = { ...ORDER_SUMMARY_FIELDS, userId: 1, customerId: 1, customerName: 1, customerEmail: 1 } as const;

export interface AdminOrdersQuery extends PageRequest {
  sortBy: 'orderDate' | 'totalAmount';
  status?: OrderStatus;
  from?: Date;
  to?: Date;
  userId?: string;
  customerId?: string;
  /** Decimal amounts, as the API speaks. */
  minAmount?: number;
  maxAmount?: number;
}

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
  return paginate<OrderDoc>(Order, filter, sortedBy(q.sortBy, q.sortOrder), q.page, q.limit, DESK_ORDER_FIELDS);
}
