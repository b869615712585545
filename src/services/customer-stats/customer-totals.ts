import { Order } from '../../models';
import { ORDER_STATUSES, type OrderStatus } from '../../shared/names';

/** A customer's order statistics as absolute totals (never increments: DESIGN.md 10). */
export interface CustomerTotals {
  customerId: string;
  totalOrders: number;
  /** Σ totalAmount of the orders that count towards value, in minor units. */
  totalValue: number;
  lastOrderDate: Date | null;
  ordersByStatus: Record<OrderStatus, number>;
}

/** A cancelled order was never paid for: it counts as an order, not towards value. */
export const countsTowardsValue = (status: string): boolean => status !== 'Cancelled';

/**
 * Recomputed from the orders collection each time, so a lost or repeated sync can never
 * leave the Customer Service off by one. Two single-accumulator $group stages rather than
 * one: FerretDB v1 returns 0 for every accumulator of a $group after the first.
 */
export async function customerTotals(customerId: string): Promise<CustomerTotals> {
  const match = { $match: { customerId } };
  const [counts, values, last] = await Promise.all([
    Order.aggregate<{ _id: string; n: number }>([match, { $group: { _id: '$status', n: { $sum: 1 } } }]),
    Order.aggregate<{ _id: string; v: number }>([match, { $group: { _id: '$status', v: { $sum: '$totalAmount' } } }]),
    Order.findOne({ customerId }, { orderDate: 1 }).sort({ orderDate: -1 }).lean(),
  ]);
  const ordersByStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const row of counts) if (row._id in ordersByStatus) ordersByStatus[row._id as OrderStatus] = row.n;
  const totalValue = values.filter((row) => countsTowardsValue(row._id)).reduce((s, row) => s + row.v, 0);
  return {
    customerId,
    totalOrders: counts.reduce((s, row) => s + row.n, 0),
    totalValue,
    lastOrderDate: last?.orderDate ?? null,
    ordersByStatus,
  };
}
