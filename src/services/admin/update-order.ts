import { BusinessRuleError } from '../../shared/errors';
import { commitChange } from '../order-write';
import type { DeliveryAddress, OrderWithItems } from '../orders/create-order';
import { itemsOf, loadOrderFor } from '../orders/load-order';
import type { Principal } from '../principal';
import type { OrderStatus } from '../../shared/names';

export interface UpdateOrderInput {
  deliveryAddress?: DeliveryAddress;
  /** null or '' clears them. */
  notes?: string | null;
}

/** Statuses in which the parcel has not left, so it can still go elsewhere. */
const ADDRESS_EDITABLE: readonly OrderStatus[] = ['Placed', 'Processing'];

/**
 * The desk corrects an order's delivery address (until it ships) or its notes. Written
 * with the same compare-and-set as status changes, so an edit made on a stale view loses
 * with 409 instead of overwriting what changed meanwhile.
 */
export async function updateOrder(
  principal: Principal,
  orderId: string,
  input: UpdateOrderInput,
): Promise<OrderWithItems> {
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
  const items = await itemsOf(order._id);
  return { order: updated, items };
}
