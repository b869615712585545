import type { OrderDoc } from '../../models/order';
import { presentOrderSummary } from './orders';

/** An order in the desk's lists and search: the customer's summary and whose order it is. */
export function presentDeskOrder(order: OrderDoc) {
  return {
    ...presentOrderSummary(order),
    userId: order.userId,
    customerId: order.customerId,
    customerName: order.customerName,
    customerEmail: order.customerEmail,
  };
}
