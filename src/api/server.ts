import type { AddressInfo } from 'node:net';
import { config } from '../config';
import { logger } from '../logger';
import { buildApp } from './app';
import { BOARD_PATH, boardRouter } from './board';
import { createHttpServer } from './http-server';
import { startApiRuntime } from './runtime';
import { startSweepers } from '../queues/sweepers';

/** Entry point of an API process: connect, listen, and shut down gracefully on a signal. */
async function main(): Promise<void> {
  const runtime = await startApiRuntime();
  const sweepers = startSweepers(runtime.outbox);
  const board = boardRouter(runtime.queues, runtime.redis);
  const app = buildApp({
    services: runtime.services,
    redis: runtime.redis,
    queues: runtime.queues,
    extraRouters: board ? [{ path: BOARD_PATH, router: board }] : [],
  });
  if (!board) logger.info('Bull Board is off: set BOARD_USER and BOARD_PASSWORD to serve it at ' + BOARD_PATH);
  const server = createHttpServer(app).listen(config.PORT, () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ port }, 'api listening');
    process.send?.('ready'); // pm2 wait_ready
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('api did not stop in time; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await sweepers.stop();
    await runtime.close();
    logger.info('api stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
