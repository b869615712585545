import type { Principal } from '../principal';
import type { OrderWithItems } from './create-order';
import { itemsOf, loadOrderFor } from './load-order';

/** One order with its items, for its owner or an administrator. */
export async function getOrder(principal: Principal, orderId: string): Promise<OrderWithItems> {
  const order = await loadOrderFor(principal, orderId);
  const items = await itemsOf(order._id);
  return { order, items };
}
