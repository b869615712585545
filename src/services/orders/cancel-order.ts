import { type OrderDoc, canTransition } from '../order-state';
import type { ServiceDeps } from '../deps';
import { BusinessRuleError } from '../../shared/errors';
import { newEvent, type RequestMeta } from '../order-events';
import { commitChange } from '../order-write';
import type { Principal } from '../principal';
import { loadOrderFor } from './load-order';
import type { OrderStatus } from '../../shared/names';

export interface CancelOrderInput {
  reason: string;
  reasonCategory?: string;
}

/** An order may be cancelled in the statuses the configuration allows, where the lifecycle has the edge. */
export const cancellable = (status: OrderStatus, allowed: readonly OrderStatus[]): boolean =>
  allowed.includes(status) && canTransition(status, 'Cancelled');

const quoted = (list: readonly string[]) => list.map((s) => `'${s}'`).join(' or ');

/**
 * The owner (or an administrator) cancels an order that has not shipped yet. Only one of
 * any number of simultaneous cancels wins; the others change nothing.
 */
export async function cancelOrder(
  deps: ServiceDeps,
  principal: Principal,
  orderId: string,
  input: CancelOrderInput,
  meta: RequestMeta,
): Promise<OrderDoc> {
  const order = await loadOrderFor(principal, orderId);
  const allowedFrom = deps.settings.ORDER_CANCELLATION_ALLOWED_STATUSES;
  if (!cancellable(order.status, allowedFrom)) {
    const allowed = quoted(allowedFrom);
    throw new BusinessRuleError(
      'Cannot cancel order',
      'status',
      `Orders can only be cancelled in ${allowed} status. Current status: ${order.status}`,
    );
  }
  const now = new Date();
  const event = newEvent(
    'order.cancelled',
    principal,
    { from: order.status, to: 'Cancelled', notes: input.reason },
    meta,
    { reasonCategory: input.reasonCategory ?? null },
    now,
  );
  const updated = await commitChange(
    order,
    {
      status: 'Cancelled',
      cancellationReason: input.reason,
      cancellationCategory: input.reasonCategory ?? null,
      cancelledBy: principal.userId,
      cancelledAt: now,
      updatedBy: principal.userId,
    },
    [event],
  );
  await deps.relay(updated);
  return updated;
}
