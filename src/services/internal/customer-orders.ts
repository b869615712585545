import type { SortOrder } from 'mongoose';
import type { CustomerOrdersQuery } from '../../api/schemas/internal';
import { Order } from '../../models';
import type { OrderDoc } from '../../models/order';
import { ORDER_SUMMARY_FIELDS } from '../orders/list-my-orders';
import { paginate, type Page } from '../pagination';

/** One customer's orders for the Customer Service (guide 3.3.1). */
export async function listCustomerOrders(customerId: string, q: CustomerOrdersQuery): Promise<Page<OrderDoc>> {
  const filter: Record<string, unknown> = { customerId };
  if (q.status) filter.status = q.status;
  const dir: SortOrder = q.sortOrder === 'asc' ? 1 : -1;
  return paginate<OrderDoc>(Order, filter, { [q.sortBy]: dir, _id: dir }, q.page, q.limit, ORDER_SUMMARY_FIELDS);
}

export interface CustomerOrderStats {
  customerId: string;
  /** Every order the customer placed, cancelled ones included. */
  orderCount: number;
  /** Σ totalAmount of the orders not cancelled, in minor units. */
  totalValue: number;
  lastOrderDate: Date | null;
}

/**
 * How many orders a customer placed, what they are worth and when the last one was
 * (guide 3.3.2). FerretDB's $group knows only $sum, so the latest date is a sorted find.
 */
export async function customerOrderStats(customerId: string): Promise<CustomerOrderStats> {
  const [orderCount, totals, latest] = await Promise.all([
    Order.countDocuments({ customerId }),
    Order.aggregate<{ total: number }>([
      { $match: { customerId, status: { $ne: 'Cancelled' } } },
      { $group: { _id: null, total: { $sum: '$totalAmount' } } },
    ]),
    Order.findOne({ customerId }, { orderDate: 1 }).sort({ orderDate: -1 }).lean<Pick<OrderDoc, 'orderDate'>>(),
  ]);
  return { customerId, orderCount, totalValue: totals[0]?.total ?? 0, lastOrderDate: latest?.orderDate ?? null };
}
