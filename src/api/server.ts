import type { AddressInfo } from 'node:net';
import { config } from '../config';
import { Phase } from '../infra/shutdown';
import { logger } from '../logger';
import { startRuntime } from '../runtime';
import { buildApp } from './app';
import { BOARD_PATH, boardRouter } from './board';
import { createHttpServer, httpLimitsOf } from './http-server';

/** Entry point of an API process: connect, listen, and stop in order on a signal. */
async function main(): Promise<void> {
  const rt = await startRuntime({ role: 'api' });
  const board = boardRouter(rt.queues, rt.redis);
  if (!board) logger.info('Bull Board is off: set BOARD_USER and BOARD_PASSWORD to serve it at ' + BOARD_PATH);
  const app = buildApp({
    services: rt.services,
    redis: rt.redis,
    queues: rt.queues,
    extraRouters: board ? [{ path: BOARD_PATH, router: board }] : [],
  });
  const server = createHttpServer(app, httpLimitsOf(config)).listen(config.PORT, () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ port }, 'api listening');
    process.send?.('ready'); // pm2 wait_ready
  });
  // First: no new requests; the ones in flight finish before anything they use closes.
  rt.shutdown.add(
    'http',
    Phase.intake,
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  );
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
