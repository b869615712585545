import { Redis, type RedisOptions } from 'ioredis';
import { config } from '../config';
import { logger } from '../logger';

/**
 * Two kinds of Redis connection:
 * - `producer`: API-side (enqueue, readiness, idempotency): fails fast so a request never
 *   hangs on a Redis outage; the outbox sweeper re-sends what could not be enqueued.
 * - `worker`: BullMQ workers block on Redis and must wait through outages
 *   (BullMQ requires maxRetriesPerRequest: null for them).
 */
export function createRedis(kind: 'producer' | 'worker', url: string = config.REDIS_URL): Redis {
  const common: RedisOptions = {
    connectTimeout: 2000,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(200 * 2 ** times, 2000),
  };
  const opts: RedisOptions =
    kind === 'worker'
      ? { ...common, maxRetriesPerRequest: null, enableReadyCheck: false }
      : { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000 };
  const client = new Redis(url, opts);
  let warned = false;
  client.on('error', (err: Error) => {
    // ioredis repeats the same error on every retry; log it once per outage.
    if (!warned) logger.warn({ err: err.message, kind }, 'redis connection error');
    warned = true;
  });
  client.on('ready', () => {
    if (warned) logger.info({ kind }, 'redis connection restored');
    warned = false;
  });
  return client;
}

/**
 * Resolves once the client is ready, or after `timeoutMs` whether it is or not: a process
 * that can run without Redis (the API) should not start refusing what it could count.
 */
export async function redisReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}

export async function pingRedis(client: Redis, timeoutMs = 1000): Promise<boolean> {
  if (client.status !== 'ready') return false;
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([client.ping().then((r) => r === 'PONG').catch(() => false), timer]);
}

/** Quits politely, then disconnects if Redis does not answer; safe to call twice. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 1000).unref())]);
  } catch {
    /* already closing */
  }
  // A client that is between reconnect attempts ignores disconnect() and tries again
  // later; with no retry strategy left, that attempt is its last.
  client.options.retryStrategy = () => null;
  client.disconnect();
}
