import type { Redis } from 'ioredis';
import { createAuthServiceClient } from '../clients/auth-service';
import { connectMongo, disconnectMongo, ensureIndexes } from '../infra/mongo';
import { closeRedis, createRedis } from '../infra/redis';
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
