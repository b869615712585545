import { type OrderDoc, nextStatuses } from '../order-state';
import type { ServiceDeps } from '../deps';
import { UnprocessableError } from '../../shared/errors';
import { newEvent, type RequestMeta } from '../order-events';
import { commitChange } from '../order-write';
import { cancellable } from '../orders/cancel-order';
import { loadOrderFor } from '../orders/load-order';
import type { Principal } from '../principal';
import { completeReturn } from '../returns/complete-return';
import { shipmentOf, type ShipmentInput } from '../orders/shipment';
import type { OrderStatus } from '../../shared/names';

export interface StatusChange {
  orderId: string;
  previousStatus: OrderStatus;
  newStatus: OrderStatus;
  updatedBy: string;
  updatedAt: Date;
}

export interface UpdateStatusInput {
  status: OrderStatus;
  notes?: string;
  /** Only with status 'Shipped': the carrier and tracking the customer is told of. */
  shipment?: ShipmentInput;
}

const quoted = (list: readonly string[]) => list.map((s) => `'${s}'`).join(', ');

/**
 * The desk moves an order along its lifecycle (guide 4.6), one edge of the state machine
 * at a time. Returns have their own way in ('Return Requested' by the customer's request,
 * back to 'Delivered' by rejecting it); 'Returned' completes the approved return.
 */
export async function updateOrderStatus(
  deps: ServiceDeps,
  principal: Principal,
  orderId: string,
  input: UpdateStatusInput,
  meta: RequestMeta,
): Promise<StatusChange> {
  const order = await loadOrderFor(principal, orderId);
  const to = input.status;
  const targets = statusRouteTargets(order, deps.settings.ORDER_CANCELLATION_ALLOWED_STATUSES);
  if (!targets.includes(to)) {
    throw new UnprocessableError('Invalid status transition', 'status', whyNot(order, to, targets));
  }
  const notes = input.notes || null;
  const updated =
    to === 'Returned'
      ? await completeReturn(deps, principal, order, notes, meta)
      : await moveTo(deps, principal, order, to, notes, meta, input.shipment);
  return {
    orderId: order.orderId,
    previousStatus: order.status,
    newStatus: to,
    updatedBy: principal.userId,
    updatedAt: updated.updatedAt,
  };
}

/** Where this route may take the order from its current status. */
export function statusRouteTargets(
  order: Pick<OrderDoc, 'status' | 'returnApproved'>,
  cancellableFrom: readonly OrderStatus[],
): OrderStatus[] {
  return nextStatuses(order.status).filter((to) => {
    if (to === 'Return Requested') return false;
    if (order.status === 'Return Requested' && to === 'Delivered') return false;
    if (to === 'Returned') return order.returnApproved === true;
    if (to === 'Cancelled') return cancellable(order.status, cancellableFrom);
    return true;
  });
}

function whyNot(order: Pick<OrderDoc, 'status'>, to: OrderStatus, allowed: OrderStatus[]): string {
  if (to === 'Return Requested')
    return "'Return Requested' is set only by a return request (POST /api/orders/{orderId}/return)";
  if (order.status === 'Return Requested' && to === 'Delivered') {
    return "Reject the return request (PATCH /api/orders/returns/{returnId}/review) to send the order back to 'Delivered'";
  }
  if (order.status === 'Return Requested' && to === 'Returned')
    return "An order becomes 'Returned' only once its return request has been approved";
  const next = allowed.length
    ? `Allowed next statuses: ${quoted(allowed)}`
    : nextStatuses(order.status).length
      ? 'No status can be set until the return request is reviewed'
      : `'${order.status}' is a final status`;
  return `Cannot change status from '${order.status}' to '${to}'. ${next}`;
}

async function moveTo(
  deps: ServiceDeps,
  principal: Principal,
  order: OrderDoc,
  to: OrderStatus,
  notes: string | null,
  meta: RequestMeta,
  shipping?: ShipmentInput,
): Promise<OrderDoc> {
  const now = new Date();
  const cancelling = to === 'Cancelled';
  const shipment = to === 'Shipped' && shipping ? shipmentOf(shipping, now) : null;
  const event = newEvent(
    cancelling ? 'order.cancelled' : 'order.status_changed',
    principal,
    { from: order.status, to, notes },
    meta,
    shipment ? { shipment } : {},
    now,
  );
  const cancellation = cancelling
    ? { cancellationReason: notes ?? 'Cancelled by an administrator', cancelledBy: principal.userId, cancelledAt: now }
    : {};
  const updated = await commitChange(
    order,
    { status: to, updatedBy: principal.userId, ...cancellation, ...(shipment && { shipment }) },
    [event],
  );
  await deps.relay(updated);
  return updated;
}
