import { OrderItem } from '../../models';
import type { OrderItemDoc } from '../../models/order-item';
import type { ReturnRequestDoc } from '../../models/return-request';

/**
 * What the returned items were paid for, in minor units: each line's share of its item's
 * finalPrice (discount and tax included), rounded down so a refund never exceeds it.
 */
export async function refundableValue(rr: Pick<ReturnRequestDoc, 'orderId' | 'items'>): Promise<number> {
  const items = await OrderItem.find({ _id: { $in: rr.items.map((l) => l.orderItemId) }, orderId: rr.orderId }).lean<
    OrderItemDoc[]
  >();
  const byId = new Map(items.map((i) => [i._id.toHexString(), i]));
  return rr.items.reduce((sum, line) => {
    const item = byId.get(line.orderItemId.toHexString());
    return item ? sum + Math.floor((item.finalPrice * line.quantity) / item.quantity) : sum;
  }, 0);
}
