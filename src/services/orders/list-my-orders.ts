import { Order } from '../../models';
import type { OrderDoc } from '../order-state';
import { paginate, sortedBy, type Page, type PageRequest } from '../pagination';
import type { Principal } from '../principal';
import type { OrderStatus } from '../../shared/names';
import { ORDER_SUMMARY_FIELDS } from './list-fields';

/** A page of one owner's orders, optionally of one status. */
export interface OrdersOfQuery extends PageRequest {
  sortBy: 'orderDate' | 'totalAmount';
  status?: OrderStatus;
}

/** The summaries of the orders of one user or customer (`owner` is the filter naming them). */
export function ordersOf(
  owner: { userId: string } | { customerId: string },
  q: OrdersOfQuery,
): Promise<Page<OrderDoc>> {
  const filter = { ...owner, ...(q.status && { status: q.status }) };
  return paginate<OrderDoc>(Order, filter, sortedBy(q.sortBy, q.sortOrder), q.page, q.limit, ORDER_SUMMARY_FIELDS);
}

/** The caller's own orders, newest first unless asked otherwise. */
export function listMyOrders(principal: Principal, q: OrdersOfQuery): Promise<Page<OrderDoc>> {
  return ordersOf({ userId: principal.userId }, q);
}
