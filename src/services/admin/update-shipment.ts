import type { ServiceDeps } from '../deps';
import { BusinessRuleError } from '../../shared/errors';
import { newEvent, type RequestMeta } from '../order-events';
import type { OrderDoc } from '../order-state';
import { commitChange } from '../order-write';
import { loadOrderFor } from '../orders/load-order';
import { shipmentOf, type ShipmentInput } from '../orders/shipment';
import type { Principal } from '../principal';

export const TRACKING_UPDATED = 'tracking updated';

/**
 * The desk corrects a shipped order's carrier or tracking: the order shows the new one,
 * its history says "tracking updated", and the customer is told once (the event's email).
 * Only while the order is Shipped: before, it ships with its tracking; after, it has arrived.
 */
export async function updateShipment(
  deps: ServiceDeps,
  principal: Principal,
  orderId: string,
  input: ShipmentInput,
  meta: RequestMeta,
): Promise<OrderDoc> {
  const order = await loadOrderFor(principal, orderId);
  if (order.status !== 'Shipped') {
    throw new BusinessRuleError(
      'Cannot update tracking',
      'status',
      `Tracking can be corrected only while the order is 'Shipped'. Current status: ${order.status}`,
    );
  }
  const now = new Date();
  const shipment = shipmentOf(input, order.shipment?.shippedAt ?? now);
  const event = newEvent(
    'order.shipment_updated',
    principal,
    { from: 'Shipped', to: 'Shipped', notes: TRACKING_UPDATED },
    meta,
    { shipment },
    now,
  );
  const updated = await commitChange(order, { shipment, updatedBy: principal.userId }, [event]);
  await deps.relay(updated);
  return updated;
}
