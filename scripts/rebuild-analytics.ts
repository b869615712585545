/**
 * `npm run analytics:rebuild`: recomputes every daily analytics rollup from the orders,
 * items and returns, e.g. after a bug in the rollups or a restore.
 *
 * The analytics queue is paused for the duration (workers finish their current job and
 * take no new one), so nothing else writes the rollups meanwhile. Events already committed
 * whose analytics jobs have not run yet (waiting, failed, dead-lettered, or still in an
 * order's outbox) are shown by the orders already, so they are recorded as applied and
 * their jobs will not count them again. Run it while the API is quiet: a change committed
 * during the few seconds of the rebuild may be counted twice or not at all; a second run
 * puts that right.
 */
import type { Job } from 'bullmq';
import { connectMongo, disconnectMongo, ensureIndexes } from '../src/infra/mongo';
import { closeRedis, createRedis } from '../src/infra/redis';
import { logger } from '../src/logger';
import { Order } from '../src/models';
import { closeQueues, createQueues, type Queues } from '../src/queues/queues';
import { rebuildRollups } from '../src/services/analytics/rebuild';

async function waitForIdle(queues: Queues, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await queues.analytics.getActiveCount()) > 0) {
    if (Date.now() > deadline) throw new Error('analytics jobs are still running; try again when they have finished');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Event ids whose effect the orders show but whose analytics job has not applied it. */
async function unappliedEventIds(queues: Queues): Promise<Set<string>> {
  const ids = new Set<string>();
  const add = (job: Job | undefined) => {
    const id = (job?.data as { eventId?: unknown } | undefined)?.eventId;
    if (typeof id === 'string') ids.add(id);
  };
  (await queues.analytics.getJobs(['waiting', 'paused', 'delayed', 'prioritized', 'failed'])).forEach(add);
  for (const letter of await queues['dead-letter'].getJobs(['waiting', 'paused'])) {
    const d = letter?.data as { queue?: string; data?: { eventId?: unknown } } | undefined;
    if (d?.queue === 'analytics' && typeof d.data?.eventId === 'string') ids.add(d.data.eventId);
  }
  for await (const order of Order.find({ 'outbox.0': { $exists: true } }, { outbox: 1 })
    .lean()
    .cursor()) {
    for (const ev of order.outbox) ids.add(ev.eventId);
  }
  return ids;
}

async function main(): Promise<void> {
  await connectMongo();
  await ensureIndexes();
  const redis = createRedis('producer');
  await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
  const queues = createQueues(redis);
  const started = Date.now();
  await queues.analytics.pause();
  try {
    await waitForIdle(queues, 60_000);
    const pending = await unappliedEventIds(queues);
    const days = await rebuildRollups(pending);
    logger.info(
      { days, pendingEvents: pending.size, ms: Date.now() - started },
      'analytics rollups rebuilt from the orders',
    );
  } finally {
    await queues.analytics.resume();
    await closeQueues(queues);
    await closeRedis(redis);
    await disconnectMongo();
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'analytics rebuild failed');
  process.exitCode = 1;
});
