import { EFFECTS } from '../services/order-events';

/**
 * The queues a worker processes (DESIGN.md 10): one per effect of an event, each named for
 * it, the desk's bulk changes and exports, and the fleet's periodic work.
 */
export const WORK_QUEUE_NAMES = [...EFFECTS, 'bulk', 'exports', 'upkeep'] as const;
export type WorkQueueName = (typeof WORK_QUEUE_NAMES)[number];
/** …and the dead-letter queue, where jobs that failed for good wait for an operator. */
export const QUEUE_NAMES = [...WORK_QUEUE_NAMES, 'dead-letter'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** The BullMQ prefix of one queue: a hash tag of its own, `{<stem>:<queue>}` (DESIGN.md 2). */
export const queuePrefix = (stem: string, queue: string): string => `{${stem}:${queue}}`;
