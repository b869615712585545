import type { Express, Router } from 'express';
import mongoose from 'mongoose';
import type { Redis } from 'ioredis';
import { buildApp } from '../../src/api/app';
import type { RateLimitOptions } from '../../src/api/middleware/rate-limit';
import { createAuthServiceClient } from '../../src/clients/auth-service';
import { config } from '../../src/config';
import { connectMongo, disconnectMongo, ensureIndexes } from '../../src/infra/mongo';
import { closeRedis, createRedis, redisReady } from '../../src/infra/redis';
import { createOutboxRelay, type OutboxRelay } from '../../src/queues/outbox-relay';
import { closeQueues, createQueues, type Queues } from '../../src/queues/queues';
import type { ServiceDeps } from '../../src/services/deps';
import { startFakeAuthService, type FakeAuthService } from './fake-auth-service';

export interface TestApp {
  app: Express;
  auth: FakeAuthService;
  redis: Redis;
  queues: Queues;
  outbox: OutboxRelay;
  services: ServiceDeps;
  /** Drops this file's database and queue keys, then closes every connection. */
  close(): Promise<void>;
}

/** The real app on this file's own database and queue prefix, with a fake Auth Service. */
export async function startTestApp(
  opts: { extraRouters?: { path: string; router: Router }[]; redis?: Redis; rateLimit?: RateLimitOptions | false } = {},
): Promise<TestApp> {
  await connectMongo();
  await mongoose.connection.db?.dropDatabase();
  await ensureIndexes();
  const auth = await startFakeAuthService();
  const redis = opts.redis ?? createRedis('producer');
  if (!(await redisReady(redis, 5000))) throw new Error('redis did not become ready');
  const queues = createQueues(redis);
  const outbox = createOutboxRelay(queues);
  const services: ServiceDeps = { authService: createAuthServiceClient(auth.url, 1000), relay: outbox.relay };
  const app = buildApp({ services, redis, queues, extraRouters: opts.extraRouters, rateLimit: opts.rateLimit });
  return {
    app,
    auth,
    redis,
    queues,
    outbox,
    services,
    async close() {
      await deleteQueueKeys(redis).catch(() => undefined);
      await closeQueues(queues);
      await closeRedis(redis);
      await auth.close();
      await mongoose.connection.db?.dropDatabase().catch(() => undefined);
      await disconnectMongo();
    },
  };
}

/** Removes every key under this file's queue prefix. */
export async function deleteQueueKeys(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.QUEUE_PREFIX}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
