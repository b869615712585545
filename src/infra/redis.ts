import { readFileSync } from 'node:fs';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { config } from '../config';
import { logger } from '../logger';

/** One Redis server or a Redis Cluster: BullMQ, the limits and the probes take either. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: a URL, or some nodes of a cluster (host:port). */
export type RedisTarget = string | { cluster: readonly string[] };

const configured = (): RedisTarget =>
  config.REDIS_CLUSTER_NODES.length ? { cluster: config.REDIS_CLUSTER_NODES } : config.REDIS_URL;

/**
 * How every connection gets in: REDIS_USERNAME and REDIS_PASSWORD (ACL user, or the
 * `requirepass` password alone), and TLS when REDIS_TLS is set or REDIS_URL is rediss://,
 * verifying the server against REDIS_TLS_CA_FILE when given. For a cluster they are the
 * options of each node's connection, discovered nodes included; BullMQ's duplicates of a
 * connection keep them.
 */
function access(target: RedisTarget): Partial<RedisOptions> {
  const tls = config.REDIS_TLS || (typeof target === 'string' && target.startsWith('rediss://'));
  return {
    ...(config.REDIS_USERNAME && { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD && { password: config.REDIS_PASSWORD }),
    ...(tls && { tls: config.REDIS_TLS_CA_FILE ? { ca: readFileSync(config.REDIS_TLS_CA_FILE) } : {} }),
  };
}

/**
 * Two kinds of Redis connection:
 * - `producer`: API-side (enqueue, readiness, limits): fails fast so a request never
 *   hangs on a Redis outage; the outbox sweeper re-sends what could not be enqueued.
 * - `worker`: BullMQ workers block on Redis and must wait through outages
 *   (BullMQ requires maxRetriesPerRequest: null for them).
 */
export function createRedis(kind: 'producer' | 'worker', target: RedisTarget = configured()): RedisClient {
  const retry = (times: number) => Math.min(200 * 2 ** times, 2000);
  const opts: RedisOptions = {
    ...access(target),
    ...(kind === 'worker'
      ? { connectTimeout: 2000, retryStrategy: retry, maxRetriesPerRequest: null, enableReadyCheck: false }
      : {
          connectTimeout: 2000,
          retryStrategy: retry,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          commandTimeout: 2000,
        }),
  };
  const client: RedisClient =
    typeof target === 'string'
      ? new Redis(target, opts)
      : new Cluster(
          target.cluster.map((node) => ({
            host: node.slice(0, node.lastIndexOf(':')),
            port: Number(node.slice(node.lastIndexOf(':') + 1)),
          })),
          {
            redisOptions: opts,
            clusterRetryStrategy: retry,
            enableOfflineQueue: kind === 'worker',
            enableReadyCheck: true,
          },
        );
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
export async function redisReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
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

export async function pingRedis(client: RedisClient, timeoutMs = 1000): Promise<boolean> {
  if (client.status !== 'ready') return false;
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([
    client
      .ping()
      .then((r) => r === 'PONG')
      .catch(() => false),
    timer,
  ]);
}

/** Quits politely, then disconnects if Redis does not answer; safe to call twice. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 1000).unref())]);
  } catch {
    /* already closing */
  }
  // A client that is between reconnect attempts ignores disconnect() and tries again
  // later; with no retry strategy left, that attempt is its last.
  if (client instanceof Cluster) client.options.clusterRetryStrategy = () => null;
  else client.options.retryStrategy = () => null;
  client.disconnect();
}

/** Every key matching `pattern`, on every master of a cluster or on the one server. */
export async function scanKeys(client: RedisClient, pattern: string): Promise<{ node: Redis; keys: string[] }[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  return Promise.all(
    nodes.map(async (node) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      return { node, keys };
    }),
  );
}
