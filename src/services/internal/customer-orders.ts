import type { OrderDoc } from '../order-state';
import { ordersOf, type OrdersOfQuery } from '../orders/list-my-orders';
import { customerTotals } from '../customer-stats/customer-totals';
import type { Page } from '../pagination';

/** One customer's orders for the Customer Service (guide 3.3.1). */
export function listCustomerOrders(customerId: string, q: OrdersOfQuery): Promise<Page<OrderDoc>> {
  return ordersOf({ customerId }, q);
}

export interface CustomerOrderStats {
  customerId: string;
  /** Every order the customer placed, cancelled ones included. */
  orderCount: number;
  /** What the orders are worth (customer-totals.ts says which count), in minor units. */
  totalValue: number;
  lastOrderDate: Date | null;
}

/** How many orders a customer placed, what they are worth and when the last one was (guide 3.3.2). */
export async function customerOrderStats(customerId: string): Promise<CustomerOrderStats> {
  const t = await customerTotals(customerId);
  return { customerId, orderCount: t.totalOrders, totalValue: t.totalValue, lastOrderDate: t.lastOrderDate };
}
