import { createCustomerServiceClient } from '../clients/customer-service';
import { createMailer } from '../clients/mailer';
import { config } from '../config';
import { connectMongo, disconnectMongo, ensureIndexes } from '../infra/mongo';
import { closeRedis, createRedis, redisReady } from '../infra/redis';
import { logger } from '../logger';
import { createOutboxRelay } from '../queues/outbox-relay';
import { closeQueues, createQueues } from '../queues/queues';
import { startSweepers } from '../queues/sweepers';
import { selectWorkers } from './selection';
import { workerSettings } from './settings';
import { startWorkers } from './start-workers';

/**
 * Entry point of the worker process (pm2 app `orms-workers`): runs the workers named by
 * argv or WORKERS (all by default), e.g. `node dist/workers/main.js emails analytics`.
 * It also sweeps the outbox, so events left by a crashed API process are delivered even
 * when no API is running.
 */
async function main(): Promise<void> {
  const names = selectWorkers(process.argv.slice(2), config.WORKERS);
  await connectMongo();
  await ensureIndexes();
  const producer = createRedis('producer');
  while (!(await redisReady(producer, 5000))) logger.warn('waiting for redis before starting the workers');
  const queues = createQueues(producer);
  const sweepers = startSweepers(createOutboxRelay(queues));
  const mailer = createMailer();
  const workers = await startWorkers(names, { queues, mailer, customerService: createCustomerServiceClient(), settings: workerSettings() });
  logger.info({ prefix: config.QUEUE_PREFIX, workers: names, mail: mailer.kind }, 'workers started');
  process.send?.('ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'workers stopping: no new jobs, finishing the running ones');
    setTimeout(() => {
      logger.error('workers did not stop in time; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    // Running jobs get most of the budget; what is left closes the connections.
    await workers.close(Math.max(500, config.SHUTDOWN_TIMEOUT_MS - 2000));
    await sweepers.stop();
    mailer.close();
    await closeQueues(queues);
    await closeRedis(producer);
    await disconnectMongo();
    logger.info('workers stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'workers failed to start');
  process.exit(1);
});
