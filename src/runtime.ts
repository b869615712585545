import type { RedisClient } from './infra/redis';
import { createAuthServiceClient } from './clients/auth-service';
import { createResolveHost } from './clients/resolve-host';
import { config } from './config';
import { connectMongo, disconnectMongo, ensureIndexes } from './infra/mongo';
import { closeRedis, createRedis, redisReady } from './infra/redis';
import { Phase, Shutdown } from './infra/shutdown';
import { logger } from './logger';
import { enqueueEvent } from './queues/enqueue-event';
import { closeQueues, createQueues, type Queues } from './queues/queues';
import type { ServiceDeps } from './services/deps';
import { createOutboxRelay, type OutboxRelay } from './services/events/outbox-relay';
import { withInjectedFaults } from './test-support/fault-injection';

/** The connections and collaborators every process runs with, and its ordered shutdown. */
export interface Runtime {
  redis: RedisClient;
  queues: Queues;
  outbox: OutboxRelay;
  services: ServiceDeps;
  shutdown: Shutdown;
}

export interface RuntimeOptions {
  role: 'api' | 'workers' | 'test';
  /** The Auth Service the use cases call (tests stand one up); config's by default. */
  authService?: { url: string; timeoutMs: number };
  /** An own Redis connection (tests that stop Redis); a producer connection by default. */
  redis?: RedisClient;
}

/**
 * Connects MongoDB (with its indexes) and Redis, builds the queues, the outbox relay and
 * the services' collaborators, and registers how each closes: the same wiring for the
 * API, the workers and the tests. (Periodic work, the outbox recovery among it, is the
 * workers' `upkeep` queue; an API process only relays its own commits.) The workers need Redis to do anything and wait for it;
 * the API starts without it after a moment (limits pass, jobs wait in the outbox).
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const shutdown = new Shutdown(config.SHUTDOWN_TIMEOUT_MS);
  await connectMongo();
  await ensureIndexes();
  shutdown.add('mongodb', Phase.connections, disconnectMongo);
  const redis = opts.redis ?? createRedis('producer');
  if (opts.role === 'workers') {
    while (!(await redisReady(redis, 5000))) logger.warn('waiting for redis before starting the workers');
  } else if (!(await redisReady(redis, opts.role === 'test' ? 5000 : 3000))) {
    if (opts.role === 'test') throw new Error('redis did not become ready');
    logger.warn('redis is not ready; starting anyway (limits pass, jobs wait in the outbox)');
  }
  const queues = createQueues(redis);
  // Queues first, then the connection they share.
  shutdown.add('queues and redis', Phase.connections, async () => {
    await closeQueues(queues);
    await closeRedis(redis);
  });
  const outbox = createOutboxRelay((event) => enqueueEvent(queues, event));
  const authService = createAuthServiceClient({
    url: opts.authService?.url ?? config.AUTH_SERVICE_URL,
    timeoutMs: opts.authService?.timeoutMs ?? config.UPSTREAM_TIMEOUT_MS,
    serviceApiKey: config.SERVICE_API_KEY,
  });
  const resolveHost = createResolveHost({
    timeoutMs: config.WEBHOOK_DNS_TIMEOUT_MS,
    servers: config.WEBHOOK_DNS_SERVERS,
  });
  const services = withInjectedFaults({ authService, relay: outbox.relay, resolveHost, settings: config }, config);
  // A process of the fleet stops in order on a signal.
  if (opts.role !== 'test') shutdown.exitOnSignals(opts.role);
  return { redis, queues, outbox, services, shutdown };
}
