/** The queues of the job pipeline (DESIGN.md 10). */
export const QUEUE_NAMES = ['emails', 'customer-stats', 'analytics', 'refunds', 'dead-letter'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
export type WorkQueueName = Exclude<QueueName, 'dead-letter'>;

export const EVENT_TYPES = [
  'order.created',
  'order.cancelled',
  'order.status_changed',
  'return.requested',
  'return.reviewed',
  'return.completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Which queues each domain event feeds. */
export const EVENT_ROUTES: Record<EventType, readonly WorkQueueName[]> = {
  'order.created': ['emails', 'customer-stats', 'analytics'],
  'order.cancelled': ['emails', 'customer-stats', 'analytics'],
  'order.status_changed': ['emails', 'customer-stats', 'analytics'],
  'return.requested': ['emails', 'analytics'],
  'return.reviewed': ['emails', 'analytics', 'refunds'],
  'return.completed': ['emails', 'customer-stats', 'analytics', 'refunds'],
};
