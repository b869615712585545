import { Order, OrderItem, ReturnRequest } from '../../models';
import type { CommittedEvent } from '../committed-events';
import { NotFoundError, ReturnNotSettledError } from '../../shared/errors';
import { RollupDelta } from './rollup-delta';
import { dayKey, isOrderStatus } from './rollup-keys';
import type { OrderStatus } from '../../shared/names';

/**
 * What one event changes in the rollup of its order's placement day. Reads the order (and
 * its items or return) by id: jobs carry ids only. The reads go out together: which of
 * them an event needs follows from the event alone, and analytics jobs run one at a time,
 * so every round trip saved is throughput.
 */
export async function deltaForEvent(ev: CommittedEvent): Promise<RollupDelta> {
  const from: OrderStatus | null = isOrderStatus(ev.previousStatus) ? ev.previousStatus : null;
  const to: OrderStatus | null = isOrderStatus(ev.newStatus) ? ev.newStatus : null;
  const created = ev.type === 'order.created';
  const moved = !created && from !== null && to !== null && from !== to;
  // A cancelled order's products no longer count as sold.
  const linesSign = created ? 1 : moved && to === 'Cancelled' ? -1 : 0;
  const readsReturn = ev.type === 'return.reviewed' || ev.type === 'return.completed';

  const [order, items, ret] = await Promise.all([
    Order.findById(ev.orderRef, { orderDate: 1, totalAmount: 1, itemCount: 1 }).lean(),
    linesSign ? loadLines(ev.orderRef) : [],
    readsReturn ? loadReturn(ev.returnId) : null,
  ]);
  if (!order) throw new NotFoundError('Order');
  const delta = new RollupDelta(dayKey(order.orderDate));

  if (created) delta.placed(order.totalAmount, order.itemCount, to ?? 'Placed');
  else if (moved && from && to) delta.moved(from, to, order.totalAmount);
  for (const i of items) delta.product(i.productId, i.productName, linesSign * i.quantity, linesSign * i.finalPrice);

  if (ev.type === 'return.requested') delta.add('returns.requested', 1);
  if (ev.type === 'return.reviewed' && ret) {
    if (ret.status === 'Pending') throw new ReturnNotSettledError(`return ${ret.returnId} is not reviewed yet`);
    if (ret.status === 'Rejected') delta.add('returns.rejected', 1);
    // Approved, or already Completed (which only follows an approval).
    else delta.add('returns.approved', 1).add('refunds.approved', ret.refundAmount ?? 0);
  }
  if (ev.type === 'return.completed' && ret) {
    if (ret.status !== 'Completed') throw new ReturnNotSettledError(`return ${ret.returnId} is not completed yet`);
    delta.add('returns.completed', 1).add('refunds.completed', ret.refundAmount ?? 0);
  }
  return delta;
}

const loadLines = (orderRef: string) =>
  OrderItem.find({ orderId: orderRef }, { productId: 1, productName: 1, quantity: 1, finalPrice: 1 }).lean();

async function loadReturn(returnId: string | null) {
  if (!returnId) throw new NotFoundError('Return request');
  const ret = await ReturnRequest.findOne({ returnId }, { returnId: 1, status: 1, refundAmount: 1 }).lean();
  if (!ret) throw new NotFoundError('Return request');
  return ret;
}
