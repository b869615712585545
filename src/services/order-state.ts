import type { StoredOrder } from '../models/order';
/** Every status an order can be in (guide 2.2.1). */
export const ORDER_STATUSES = [
  'Placed',
  'Processing',
  'Shipped',
  'Delivered',
  'Cancelled',
  'Return Requested',
  'Returned',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

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
