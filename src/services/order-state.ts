import type { StoredOrder } from '../models/order';
import type { OrderStatus } from '../shared/names';

/** An order as the services read it: its status is one of ORDER_STATUSES. */
export type OrderDoc = StoredOrder<OrderStatus>;

/**
 * The order lifecycle (DESIGN.md 4), the only place that says which status may follow
 * which. `Return Requested` is entered only through a return request, and `Returned` only
 * when the order's return was approved; the services check those conditions.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  Placed: ['Processing', 'Cancelled'],
  Processing: ['Shipped', 'Cancelled'],
  Shipped: ['Delivered'],
  Delivered: ['Return Requested'],
  'Return Requested': ['Delivered', 'Returned'],
  Cancelled: [],
  Returned: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function nextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}
