import { OrderItem } from '../../models';
import type { OrderItemDoc } from '../../models/order-item';
import type { Principal } from '../principal';
import type { PlacedOrder } from './create-order';
import { loadOrderFor } from './load-order';

/** One order with its items, for its owner or an administrator. */
export async function getOrder(principal: Principal, orderId: string): Promise<PlacedOrder> {
  const order = await loadOrderFor(principal, orderId);
  const items = await OrderItem.find({ orderId: order._id }).sort({ _id: 1 }).lean<OrderItemDoc[]>();
  return { order, items };
}
