import { Order } from '../../models';
import type { OrderDoc, OrderStatus } from '../order-state';
import { ORDER_SUMMARY_FIELDS } from '../orders/list-my-orders';
import { between, dropUnset, paginate, sortedBy, type Page, type PageRequest } from '../pagination';
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
  const minor = (amount: number | undefined) => (amount === undefined ? undefined : toMinor(amount));
  const filter = dropUnset({
    status: q.status,
    userId: q.userId,
    customerId: q.customerId,
    orderDate: between(q.from, q.to),
    totalAmount: between(minor(q.minAmount), minor(q.maxAmount)),
  });
  return paginate<OrderDoc>(Order, filter, sortedBy(q.sortBy, q.sortOrder), q.page, q.limit, DESK_ORDER_FIELDS);
}
