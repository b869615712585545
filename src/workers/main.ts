import { createCustomerServiceClient } from '../clients/customer-service';
import { createMailer } from '../clients/mailer';
import { config } from '../config';
import { Phase } from '../infra/shutdown';
import { logger } from '../logger';
import { startRuntime } from '../runtime';
import { metricsPortOf, serveWorkerMetrics } from './metrics';
import { queuesLeftOut, selectWorkers } from './selection';
import { workerSettings, mailerOptions, customerServiceOptions } from './settings';
import { startWorkers } from './start-workers';

/**
 * Entry point of the worker process (pm2 app `orms-workers`): runs the workers named by
 * argv or WORKERS (all by default), e.g. `node dist/workers/main.js emails analytics`.
 * The `upkeep` worker runs the fleet's periodic work (workers/upkeep.ts), so events left by
 * a crashed API process are delivered even when no API is running.
 */
async function main(): Promise<void> {
  const names = selectWorkers(process.argv.slice(2), config.WORKERS);
  const rt = await startRuntime({ role: 'workers' });
  const mailer = createMailer(mailerOptions());
  rt.shutdown.add('mailer', Phase.background, () => mailer.close());
  // Before the workers, so their first job is counted; scrapeable until they have stopped.
  const metrics = config.WORKER_METRICS_PORT
    ? await serveWorkerMetrics({
        port: metricsPortOf(config.WORKER_METRICS_PORT),
        token: config.METRICS_TOKEN,
        worked: names,
        queues: rt.queues,
        redis: rt.redis,
      })
    : null;
  if (metrics) rt.shutdown.add('metrics', Phase.background, () => metrics.close());
  const workers = await startWorkers(names, {
    queues: rt.queues,
    outbox: rt.outbox,
    services: rt.services,
    mailer,
    customerService: createCustomerServiceClient(customerServiceOptions()),
    settings: workerSettings(),
    metrics: metrics?.jobs,
  });
  // Running jobs get most of the budget; what is left closes the connections.
  rt.shutdown.add('workers', Phase.intake, () => workers.close(Math.max(500, config.SHUTDOWN_TIMEOUT_MS - 2000)));
  logger.info(
    { prefix: config.QUEUE_PREFIX, workers: names, mail: mailer.kind, metricsPort: metrics?.port ?? null },
    'workers started',
  );
  const leftOut = queuesLeftOut(names);
  // Once, at start: a queue nobody works never fails, its jobs only wait, so whoever chose the
  // subset is told what some other process must work (and /metrics shows it as orms_queue_workers 0).
  if (leftOut.length)
    logger.warn(
      { leftToOtherProcesses: leftOut },
      `this process works only ${names.join(', ')}; another process must work ${leftOut.join(', ')}, or their jobs wait for ever`,
    );
  process.send?.('ready');
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'workers failed to start');
  process.exit(1);
});
