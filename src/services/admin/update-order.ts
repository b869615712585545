import type { UpdateOrderInput } from '../../api/schemas/admin';
import type { OrderStatus } from '../../config';
import { OrderItem } from '../../models';
import type { OrderItemDoc } from '../../models/order-item';
import { BusinessRuleError } from '../errors';
import { commitChange } from '../order-write';
import type { PlacedOrder } from '../orders/create-order';
import { loadOrderFor } from '../orders/load-order';
import type { Principal } from '../principal';

/** Statuses in which the parcel has not left, so it can still go elsewhere. */
const ADDRESS_EDITABLE: readonly OrderStatus[] = ['Placed', 'Processing'];

/**
 * The desk corrects an order's delivery address (until it ships) or its notes. Written
 * with the same compare-and-set as status changes, so an edit made on a stale view loses
 * with 409 instead of overwriting what changed meanwhile.
 */
export async function updateOrder(principal: Principal, orderId: string, input: UpdateOrderInput): Promise<PlacedOrder> {
  const order = await loadOrderFor(principal, orderId);
  if (input.deliveryAddress && !ADDRESS_EDITABLE.includes(order.status)) {
    throw new BusinessRuleError(
      'Cannot update order',
      'deliveryAddress',
      `The delivery address can only be changed before the order ships ('Placed' or 'Processing'). Current status: ${order.status}`,
    );
  }
  const set: Record<string, unknown> = { updatedBy: principal.userId };
  if (input.deliveryAddress) set.deliveryAddress = input.deliveryAddress;
  if (input.notes !== undefined) set.notes = input.notes || null;
  const updated = await commitChange(order, set, []);
  const items = await OrderItem.find({ orderId: order._id }).sort({ _id: 1 }).lean<OrderItemDoc[]>();
  return { order: updated, items };
}
