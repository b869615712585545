import { Queue, type DefaultJobOptions } from 'bullmq';
import { config } from '../config';
import type { RedisClient } from '../infra/redis';
import { QUEUE_NAMES, queuePrefix, type QueueName } from './names';

/**
 * Retries with exponential backoff and jitter; completed jobs are trimmed by age and
 * count, failed ones kept for the operators (they are also copied to dead-letter).
 */
export const defaultJobOptions: DefaultJobOptions = {
  attempts: config.JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS, jitter: config.JOB_BACKOFF_JITTER },
  removeOnComplete: { age: config.JOB_KEEP_COMPLETED_SECONDS, count: config.JOB_KEEP_COMPLETED_COUNT },
  removeOnFail: false,
};

/**
 * Webhook deliveries retry on their own schedule (WEBHOOK_MAX_ATTEMPTS over a day and
 * more, honouring Retry-After): the `webhook` backoff is computed by its worker.
 */
const jobOptionsOf = (name: QueueName): DefaultJobOptions =>
  name === 'webhooks' ? { ...defaultJobOptions, attempts: config.WEBHOOK_MAX_ATTEMPTS, backoff: { type: 'webhook' } } : defaultJobOptions;

export type Queues = Record<QueueName, Queue>;

/**
 * All queues on one producer connection, each under its own prefix `{<stem>:<queue>}`:
 * BullMQ's `prefix` (never ioredis keyPrefix), a hash tag per queue, so on a Redis Cluster
 * every key of one queue shares a slot and the queues spread over the shards.
 */
export function createQueues(connection: RedisClient, stem: string = config.QUEUE_PREFIX): Queues {
  const entries = QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix: queuePrefix(stem, name), defaultJobOptions: jobOptionsOf(name) })] as const);
  return Object.fromEntries(entries) as Queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
