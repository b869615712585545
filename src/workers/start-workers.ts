import type { CustomerServiceClient } from '../clients/customer-service';
import { once } from '../infra/once';
import { logger } from '../logger';
import type { Mailer } from '../clients/mailer';
import type { WorkQueueName } from '../queues/names';
import type { OutboxRelay } from '../queues/outbox-relay';
import type { Queues } from '../queues/queues';
import { analyticsProcessor } from './analytics';
import { customerStatsProcessor } from './customer-stats';
import { emailsProcessor } from './emails';
import type { JobMetrics } from './job-metrics';
import { startQueueWorker, type Processor, type QueueWorker } from './queue-worker';
import { refundsProcessor } from './refunds';
import { scheduleUpkeep, upkeepProcessor } from './upkeep';
import { webhookBackoff, webhooksProcessor } from './webhooks';
import { bulkProcessor } from './bulk';
import { exportsProcessor } from './exports';
import type { ServiceDeps } from '../services/deps';
import type { WorkerSettings } from './settings';

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
      return exportsProcessor();
  }
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
    if (names.includes('analytics')) await deps.queues.analytics.setGlobalConcurrency(deps.settings.analyticsConcurrency);
    if (names.includes('upkeep')) await scheduleUpkeep(deps.queues.upkeep);
  };
  await prepare();
  // Both live in Redis: one that comes back empty (restarted without its data, a failover
  // to a replica that had not caught up) has lost them, so they are set again on every
  // reconnection; setting them is idempotent.
  const producer = await deps.queues.upkeep.client;
  const onReconnect = () => void prepare().catch((err: unknown) => logger.warn({ err }, 'could not set the queues up again after redis came back'));
  producer.on('ready', onReconnect);
  const workers = names.map((name) =>
    startQueueWorker(name, processorFor(name, deps), deps.queues['dead-letter'], deps.settings, {
      concurrency: concurrencyOf(name, deps.settings),
      metrics: deps.metrics,
      ...(name === 'webhooks' && { backoffStrategy: webhookBackoff }),
    }),
  );
  const close = once(async (timeoutMs: number) => {
    producer.off('ready', onReconnect);
    await Promise.all(workers.map((w) => w.close(timeoutMs)));
  });
  return { names, workers, close };
}
