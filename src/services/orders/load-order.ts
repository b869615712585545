import { Order } from '../../models';
import type { OrderDoc } from '../../models/order';
import { ForbiddenError, NotFoundError } from '../errors';
import { isAdmin, type Principal } from '../principal';

/** The order as its owner or an administrator may see it; 404 / 403 otherwise. */
export async function loadOrderFor(principal: Principal, orderId: string): Promise<OrderDoc> {
  const order = await Order.findOne({ orderId }, { outbox: 0 }).lean<OrderDoc>();
  if (!order) throw new NotFoundError('Order', 'orderId');
  if (!isAdmin(principal) && order.userId !== principal.userId) {
    throw new ForbiddenError('You can only access your own orders');
  }
  return order;
}
