import { config } from '../config';
import { connectMongo, disconnectMongo, ensureIndexes } from '../infra/mongo';
import { closeRedis, createRedis } from '../infra/redis';
import { logger } from '../logger';
import { createOutboxRelay } from '../queues/outbox-relay';
import { closeQueues, createQueues } from '../queues/queues';
import { startSweepers } from '../api/sweepers';

/**
 * Entry point of the worker process (pm2 app `orms-workers`). It also sweeps the outbox,
 * so events left by a crashed API process are delivered even when no API is running.
 */
async function main(): Promise<void> {
  await connectMongo();
  await ensureIndexes();
  const producer = createRedis('producer');
  const queues = createQueues(producer);
  const sweepers = startSweepers(createOutboxRelay(queues));
  logger.info({ prefix: config.QUEUE_PREFIX }, 'workers started');
  process.send?.('ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'workers stopping');
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
    await sweepers.stop();
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
