import type { Types } from 'mongoose';
import { Order, OrderItem } from '../../models';
import type { OrderItemDoc } from '../../models/order-item';
import type { OrderDoc } from '../order-state';
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

/** An order's items, in the order they were placed. */
export const itemsOf = (orderRef: Types.ObjectId): Promise<OrderItemDoc[]> => OrderItem.find({ orderId: orderRef }).sort({ _id: 1 }).lean<OrderItemDoc[]>();
