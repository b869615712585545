import { OrderHistory } from '../../models';
import type { OrderHistoryDoc } from '../../models/order-history';
import type { Principal } from '../principal';
import { loadOrderFor } from './load-order';

/** The order's status changes, oldest first. */
export async function getOrderHistory(
  principal: Principal,
  orderId: string,
): Promise<{ orderId: string; history: OrderHistoryDoc[] }> {
  const order = await loadOrderFor(principal, orderId);
  const history = await OrderHistory.find({ orderId: order._id })
    .sort({ timestamp: 1, _id: 1 })
    .lean<OrderHistoryDoc[]>();
  return { orderId: order.orderId, history };
}
