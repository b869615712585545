import type { OrderDoc } from '../../services/order-state';
import type { Page } from '../../services/pagination';
import { presentOrderSummary } from './orders';
import { presentPagination } from './pagination';

/** An order in the desk's lists and search: the customer's summary and whose order it is. */
export function presentDeskOrder(order: OrderDoc) {
  const { userId, customerId, customerName, customerEmail } = order;
  return { ...presentOrderSummary(order), userId, customerId, customerName, customerEmail };
}

/** A page of the desk's list or search. */
export const presentDeskPage = (page: Page<OrderDoc>) => ({
  orders: page.rows.map(presentDeskOrder),
  pagination: presentPagination(page),
});
