import type { Redis } from 'ioredis';
import { createAuthServiceClient } from '../clients/auth-service';
import { connectMongo, disconnectMongo, ensureIndexes } from '../infra/mongo';
import { closeRedis, createRedis, redisReady } from '../infra/redis';
import { logger } from '../logger';
import { createOutboxRelay, type OutboxRelay } from '../queues/outbox-relay';
import { closeQueues, createQueues, type Queues } from '../queues/queues';
import type { ServiceDeps } from '../services/deps';

/** The connections and collaborators the API runs with; built and torn down together. */
export interface ApiRuntime {
  redis: Redis;
  queues: Queues;
  outbox: OutboxRelay;
  services: ServiceDeps;
  close(): Promise<void>;
}

export async function startApiRuntime(): Promise<ApiRuntime> {
  await connectMongo();
  await ensureIndexes();
  const redis = createRedis('producer');
  // The producer fails fast while Redis is away; give it a moment to connect, so the first
  // requests are counted by the rate limits and their jobs queued at once.
  if (!(await redisReady(redis, 3000))) logger.warn('redis is not ready; starting anyway (limits pass, jobs wait in the outbox)');
  const queues = createQueues(redis);
  const outbox = createOutboxRelay(queues);
  const services: ServiceDeps = { authService: createAuthServiceClient(), relay: outbox.relay };
  let closed: Promise<void> | undefined;
  return {
    redis,
    queues,
    outbox,
    services,
    close: () =>
      (closed ??= (async () => {
        await closeQueues(queues);
        await closeRedis(redis);
        await disconnectMongo();
      })()),
  };
}
