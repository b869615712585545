import type { EventType } from '../services/order-events';

/** The queues of the job pipeline (DESIGN.md 10). */
/** The queues a worker processes. */
export const WORK_QUEUE_NAMES = ['emails', 'customer-stats', 'analytics', 'refunds'] as const;
export type WorkQueueName = (typeof WORK_QUEUE_NAMES)[number];
/** …and the dead-letter queue, where jobs that failed for good wait for an operator. */
export const QUEUE_NAMES = [...WORK_QUEUE_NAMES, 'dead-letter'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];


/** Which queues each domain event feeds. */
export const EVENT_ROUTES: Record<EventType, readonly WorkQueueName[]> = {
  'order.created': ['emails', 'customer-stats', 'analytics'],
  'order.cancelled': ['emails', 'customer-stats', 'analytics'],
  'order.status_changed': ['emails', 'customer-stats', 'analytics'],
  'return.requested': ['emails', 'analytics'],
  'return.reviewed': ['emails', 'analytics', 'refunds'],
  'return.completed': ['emails', 'customer-stats', 'analytics', 'refunds'],
};
