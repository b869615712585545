/*
 * The names every part shares: order statuses, event types, the effects of each event and
 * the queues that do them. A leaf: it imports nothing of ours, so configuration, models,
 * services, queues and the API can all read it without an arrow running back up.
 */

/** Every status an order can be in (guide 2.2.1); which may follow which is services/order-state.ts. */
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

/** What a committed change can emit. */
export const EVENT_TYPES = [
  'order.created',
  'order.cancelled',
  'order.status_changed',
  'return.requested',
  'return.reviewed',
  'return.completed',
  'order.shipment_updated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The side effects of events, each done by the worker queue of the same name. `webhooks`
 * fans an event out to the subscriptions that want it (one delivery job each).
 */
export const EFFECTS = ['emails', 'customer-stats', 'analytics', 'refunds', 'webhooks'] as const;
export type Effect = (typeof EFFECTS)[number];

/** Which effects each event has. */
export const EVENT_EFFECTS: Record<EventType, readonly Effect[]> = {
  'order.created': ['emails', 'customer-stats', 'analytics', 'webhooks'],
  'order.cancelled': ['emails', 'customer-stats', 'analytics', 'webhooks'],
  'order.status_changed': ['emails', 'customer-stats', 'analytics', 'webhooks'],
  'return.requested': ['emails', 'analytics', 'webhooks'],
  'return.reviewed': ['emails', 'analytics', 'refunds', 'webhooks'],
  'return.completed': ['emails', 'customer-stats', 'analytics', 'refunds', 'webhooks'],
  // A tracking correction: the customer is told, other services hear of it; no totals move.
  'order.shipment_updated': ['emails', 'webhooks'],
};

/**
 * The queues a worker processes (DESIGN.md 10): one per effect of an event, each named for
 * it, the desk's bulk changes and exports, and the fleet's periodic work.
 */
export const WORK_QUEUE_NAMES = [...EFFECTS, 'bulk', 'exports', 'upkeep'] as const;
export type WorkQueueName = (typeof WORK_QUEUE_NAMES)[number];
/** …and the dead-letter queue, where jobs that failed for good wait for an operator. */
export const QUEUE_NAMES = [...WORK_QUEUE_NAMES, 'dead-letter'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
