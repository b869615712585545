import type { SortOrder } from 'mongoose';
import type { MyOrdersQuery } from '../../api/schemas/orders';
import { Order } from '../../models';
import type { OrderDoc } from '../../models/order';
import { paginate, type Page } from '../pagination';
import type { Principal } from '../principal';

export const ORDER_SUMMARY_FIELDS = { orderId: 1, orderDate: 1, status: 1, totalAmount: 1, itemCount: 1, 'deliveryAddress.city': 1, 'deliveryAddress.state': 1 } as const;

/** The caller's own orders, newest first unless asked otherwise. */
export async function listMyOrders(principal: Principal, q: MyOrdersQuery): Promise<Page<OrderDoc>> {
  const filter: Record<string, unknown> = { userId: principal.userId };
  if (q.status) filter.status = q.status;
  const dir: SortOrder = q.sortOrder === 'asc' ? 1 : -1;
  return paginate<OrderDoc>(Order, filter, { [q.sortBy]: dir, _id: dir }, q.page, q.limit, ORDER_SUMMARY_FIELDS);
}
