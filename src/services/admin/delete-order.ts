import { Order, OrderHistory, OrderItem, ReturnRequest } from '../../models';
import { markEventsOfDeletedOrder } from '../events/deleted-order-events';
import { NotFoundError } from '../../shared/errors';
import { withOrderLock } from '../order-write';
import { loadOrderFor } from '../orders/load-order';
import type { Principal } from '../principal';

export interface DeletedOrder {
  orderId: string;
  items: number;
  history: number;
  returns: number;
}

/**
 * The desk deletes an order for good, with its items, history and return requests.
 * The order goes first: once it is gone, its items and history are unreachable orphans.
 * Return requests are listed on their own, so they are marked before that; should we die
 * before deleting them, the return reconciler deletes what the mark says belongs to a
 * deleted order (or clears the mark if the order survived). Its recorded events are only
 * marked (events/deleted-order-events.ts): jobs of them may still be on their way, and they
 * must find them to be skipped rather than refused as forged; should we die before marking
 * them, the first of those jobs that misses the order marks them. Of two deletes of one
 * order, the second finds it gone once it holds the lock, and answers "not found".
 */
export async function deleteOrder(principal: Principal, orderId: string): Promise<DeletedOrder> {
  const order = await loadOrderFor(principal, orderId);
  // Under the order's lock, so no change of the order or its returns is half-way through.
  await withOrderLock(order._id, async () => {
    if (!(await Order.exists({ _id: order._id }))) throw new NotFoundError('Order', 'orderId');
    await ReturnRequest.updateMany(
      { orderId: order._id, pendingStep: null },
      { $set: { pendingStep: 'deletion', pendingSince: new Date() } },
    );
    const { deletedCount } = await Order.deleteOne({ _id: order._id });
    if (deletedCount === 0) throw new NotFoundError('Order', 'orderId');
  });
  const [items, history, returns] = await Promise.all([
    OrderItem.deleteMany({ orderId: order._id }),
    OrderHistory.deleteMany({ orderId: order._id }),
    ReturnRequest.deleteMany({ orderId: order._id }),
    markEventsOfDeletedOrder(order._id),
  ]);
  return {
    orderId: order.orderId,
    items: items.deletedCount,
    history: history.deletedCount,
    returns: returns.deletedCount,
  };
}
