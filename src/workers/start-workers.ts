import type { CustomerServiceClient } from '../clients/customer-service';
import { once } from '../infra/once';
import { logger } from '../logger';
import type { Mailer } from '../clients/mailer';
import type { OutboxRelay } from '../services/events/outbox-relay';
import type { Queues } from '../queues/queues';
import { analyticsProcessor } from './analytics';
import { customerStatsProcessor } from './customer-stats';
import { emailsProcessor } from './emails';
import type { JobMetrics } from './job-metrics';
import { skippingEventsOfDeletedOrders } from './deleted-orders';
import { skipReasonsOf } from './job-skipped';
import type { Processor } from './processor';
import { startQueueWorker, type QueueWorker } from './queue-worker';
import { refundsProcessor } from './refunds';
import { scheduleUpkeep, upkeepProcessor } from './upkeep';
import { webhookBackoff, webhooksProcessor } from './webhooks';
import { bulkProcessor } from './bulk';
import { exportsProcessor } from './exports';
import type { ServiceDeps } from '../services/deps';
import type { WorkerSettings } from './settings';
import type { WorkQueueName } from '../shared/names';

export interface WorkerDeps {
  /** Producer-side queues: dead letters and customer syncs are added through them. */
  queues: Queues;
  /** The upkeep worker re-relays what a crash left in an outbox. */
  outbox: OutboxRelay;
  /** The use cases' collaborators: bulk changes go through the same use case as one change. */
  services: ServiceDeps;
  mailer: Mailer;
  customerService: CustomerServiceClient;
  settings: WorkerSettings;
  /** Where the workers report their jobs (the process's metrics); nowhere when absent. */
  metrics?: JobMetrics;
}

export interface RunningWorkers {
  readonly names: readonly WorkQueueName[];
  readonly workers: readonly QueueWorker[];
  /** Stops every worker (each given up to `timeoutMs` to finish); safe to call twice. */
  close(timeoutMs: number): Promise<void>;
}

function processorFor(name: WorkQueueName, deps: WorkerDeps): Processor {
  switch (name) {
    case 'emails':
      return emailsProcessor(deps);
    case 'customer-stats':
      return customerStatsProcessor(deps);
    case 'analytics':
      return analyticsProcessor();
    case 'refunds':
      return refundsProcessor();
    case 'upkeep':
      return upkeepProcessor(deps);
    case 'webhooks':
      return webhooksProcessor(deps);
    case 'bulk':
      return bulkProcessor(deps);
    case 'exports':
      return exportsProcessor(deps);
  }
}

/** The processor of a queue whose event jobs may outlive their order skips those (deleted-orders.ts). */
const withSkips = (name: WorkQueueName, processor: Processor): Processor =>
  skipReasonsOf(name).includes('order-deleted') ? skippingEventsOfDeletedOrders(processor) : processor;

/** The Redis connection the process's queues use, as far as its reconnections go. */
interface ReadyEvents {
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * Keeps what `prepare` sets in Redis (the schedulers, the analytics limit) set. Redis that
 * comes back empty (restarted without its data, a failover to a replica that had not caught
 * up) has lost it, so it is set again whenever the connection is ready again; Redis that
 * loses its data while the connection stays up (FLUSHALL) tells nobody, so it is also set
 * every `everyMs`. Setting it is idempotent; a failure is logged and tried again at the
 * next turn, never thrown.
 */
function keepSetUp(
  prepare: () => Promise<void>,
  connection: ReadyEvents,
  everyMs: number | null,
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const again = () => {
    // A turn that comes while the last one still waits on Redis would only pile up.
    if (running) return;
    running = prepare()
      .catch((err: unknown) =>
        logger.warn({ err }, 'could not set the schedulers and queue limits again; trying at the next turn'),
      )
      .finally(() => (running = null));
  };
  connection.on('ready', again);
  const timer = everyMs === null ? null : setInterval(again, everyMs);
  return {
    /** No turn starts after it; one under way is waited for, so none outlives the connection. */
    async stop() {
      connection.off('ready', again);
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

/**
 * Jobs at once per process. Webhook deliveries mostly wait on receivers (up to
 * WEBHOOK_TIMEOUT_MS each), so they get many slots of their own.
 */
function concurrencyOf(name: WorkQueueName, settings: WorkerSettings): number {
  if (name === 'analytics') return settings.analyticsConcurrency;
  if (name === 'webhooks') return settings.webhookConcurrency;
  return settings.concurrency;
}

/**
 * One worker (one processor) per selected queue. Analytics runs under a global concurrency
 * limit: its jobs all $inc the same few day documents, and FerretDB v1 loses concurrent
 * updates of one document, so they are serialised across every process.
 */
export async function startWorkers(names: readonly WorkQueueName[], deps: WorkerDeps): Promise<RunningWorkers> {
  const prepare = async () => {
    if (names.includes('analytics'))
      await deps.queues.analytics.setGlobalConcurrency(deps.settings.analyticsConcurrency);
    if (names.includes('upkeep')) await scheduleUpkeep(deps.queues.upkeep);
  };
  await prepare();
  const keepPrepared = keepSetUp(
    prepare,
    await deps.queues.upkeep.client,
    names.includes('analytics') || names.includes('upkeep') ? deps.settings.schedulerCheckIntervalMs : null,
  );
  const workers = names.map((name) =>
    startQueueWorker(name, withSkips(name, processorFor(name, deps)), deps.queues['dead-letter'], deps.settings, {
      concurrency: concurrencyOf(name, deps.settings),
      metrics: deps.metrics,
      ...(name === 'webhooks' && { backoffStrategy: webhookBackoff }),
    }),
  );
  const close = once(async (timeoutMs: number) => {
    await Promise.all([keepPrepared.stop(), ...workers.map((w) => w.close(timeoutMs))]);
  });
  return { names, workers, close };
}
