import { Queue, type DefaultJobOptions } from 'bullmq';
import { config } from '../config';
import type { RedisClient } from '../infra/redis';
import { QUEUE_NAMES, type QueueName } from '../shared/names';
import { queuePrefix } from './prefix';

/**
 * Retries with exponential backoff and jitter; finished jobs are trimmed by age and count
 * (docs/operations.md). A failed job's copy waits in dead-letter until an operator replays
 * it, so the failed job itself is kept only for a look in the board.
 */
export const defaultJobOptions: DefaultJobOptions = {
  attempts: config.JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS, jitter: config.JOB_BACKOFF_JITTER },
  removeOnComplete: { age: config.JOB_KEEP_COMPLETED_SECONDS, count: config.JOB_KEEP_COMPLETED_COUNT },
  removeOnFail: { age: config.JOB_KEEP_FAILED_SECONDS, count: config.JOB_KEEP_FAILED_COUNT },
};

/**
 * Webhook deliveries retry on their own schedule (WEBHOOK_MAX_ATTEMPTS over a day and
 * more, honouring Retry-After): the `webhook` backoff is computed by its worker.
 */
const jobOptionsOf = (name: QueueName): DefaultJobOptions =>
  name === 'webhooks'
    ? { ...defaultJobOptions, attempts: config.WEBHOOK_MAX_ATTEMPTS, backoff: { type: 'webhook' } }
    : defaultJobOptions;

/**
 * Longer than any job can still be waiting to run: records kept only for jobs still on their
 * way (events of a deleted order, deliveries of a deleted subscription) are kept this long.
 * The longest wait is on `webhooks`: WEBHOOK_MAX_ATTEMPTS attempts, each wait capped at
 * WEBHOOK_MAX_RETRY_DELAY_MS (a day) whatever Retry-After asks (12 attempts: 34-41 hours, 11 days at most); every other
 * queue is done retrying within minutes. Never shorter than the reconciliation looks back
 * (RECONCILE_WINDOW_HOURS), which may queue an event's jobs again until then.
 */
export const lateJobsGraceMs = (): number =>
  Math.max(config.WEBHOOK_MAX_ATTEMPTS * config.WEBHOOK_MAX_RETRY_DELAY_MS, config.RECONCILE_WINDOW_HOURS * 3_600_000);

export type Queues = Record<QueueName, Queue>;

/**
 * All queues on one producer connection, each under its own prefix `{<stem>:<queue>}`:
 * BullMQ's `prefix` (never ioredis keyPrefix), a hash tag per queue, so on a Redis Cluster
 * every key of one queue shares a slot and the queues spread over the shards.
 */
export function createQueues(connection: RedisClient, stem: string = config.QUEUE_PREFIX): Queues {
  const entries = QUEUE_NAMES.map(
    (name) =>
      [
        name,
        new Queue(name, {
          connection,
          prefix: queuePrefix(stem, name),
          defaultJobOptions: jobOptionsOf(name),
          streams: { events: { maxLen: config.QUEUE_EVENTS_MAX_LEN } },
        }),
      ] as const,
  );
  return Object.fromEntries(entries) as Queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
