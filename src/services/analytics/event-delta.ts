import type { OrderStatus } from '../order-state';
import { Order, OrderItem, ReturnRequest } from '../../models';
import type { CommittedEvent } from '../committed-events';
import { NotFoundError, ReturnNotSettledError } from '../errors';
import { RollupDelta } from './rollup-delta';
import { dayKey, isOrderStatus } from './rollup-keys';

/**
 * What one event changes in the rollup of its order's placement day. Reads the order (and
 * its items or return) by id: jobs carry ids only.
 */
export async function deltaForEvent(ev: CommittedEvent): Promise<RollupDelta> {
  const order = await Order.findById(ev.orderRef, { orderDate: 1, totalAmount: 1, itemCount: 1 }).lean();
  if (!order) throw new NotFoundError('Order');
  const delta = new RollupDelta(dayKey(order.orderDate));
  const from: OrderStatus | null = isOrderStatus(ev.previousStatus) ? ev.previousStatus : null;
  const to: OrderStatus | null = isOrderStatus(ev.newStatus) ? ev.newStatus : null;

  if (ev.type === 'order.created') {
    delta.placed(order.totalAmount, order.itemCount, to ?? 'Placed');
    await addLines(delta, order._id, 1);
  } else if (from && to && from !== to) {
    delta.moved(from, to, order.totalAmount);
    // A cancelled order's products no longer count as sold.
    if (to === 'Cancelled') await addLines(delta, order._id, -1);
  }

  switch (ev.type) {
    case 'return.requested':
      delta.add('returns.requested', 1);
      break;
    case 'return.reviewed': {
      const ret = await loadReturn(ev.returnId);
      if (ret.status === 'Pending') throw new ReturnNotSettledError(`return ${ret.returnId} is not reviewed yet`);
      if (ret.status === 'Rejected') delta.add('returns.rejected', 1);
      // Approved, or already Completed (which only follows an approval).
      else delta.add('returns.approved', 1).add('refunds.approved', ret.refundAmount ?? 0);
      break;
    }
    case 'return.completed': {
      const ret = await loadReturn(ev.returnId);
      if (ret.status !== 'Completed') throw new ReturnNotSettledError(`return ${ret.returnId} is not completed yet`);
      delta.add('returns.completed', 1).add('refunds.completed', ret.refundAmount ?? 0);
      break;
    }
    default:
      break;
  }
  return delta;
}

async function addLines(delta: RollupDelta, orderRef: unknown, sign: 1 | -1): Promise<void> {
  const items = await OrderItem.find(
    { orderId: orderRef },
    { productId: 1, productName: 1, quantity: 1, finalPrice: 1 },
  ).lean();
  for (const i of items) delta.product(i.productId, i.productName, sign * i.quantity, sign * i.finalPrice);
}

async function loadReturn(returnId: string | null) {
  if (!returnId) throw new NotFoundError('Return request');
  const ret = await ReturnRequest.findOne({ returnId }, { returnId: 1, status: 1, refundAmount: 1 }).lean();
  if (!ret) throw new NotFoundError('Return request');
  return ret;
}
