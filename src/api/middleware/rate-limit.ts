import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { config } from '../../config';
import { fail } from '../envelope';

/**
 * A fixed-window counter in Redis, shared by every API process of the cluster. (Not
 * rate-limit-redis: it loads its scripts once at start and stays broken if Redis was
 * briefly away then; plain INCR/PEXPIRE needs no scripts.)
 */
class RedisWindowStore implements Store {
  private windowMs = 60_000;
  readonly prefix: string;

  constructor(private readonly redis: Redis, prefix: string) {
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const k = this.prefix + key;
    const res = await this.redis.multi().incr(k).pexpire(k, this.windowMs, 'NX').pttl(k).exec();
    if (!res || res.some(([err]) => err)) throw new Error('rate limit counter unavailable');
    const totalHits = Number(res[0][1]);
    const ttl = Number(res[2][1]);
    return { totalHits, resetTime: new Date(Date.now() + (ttl > 0 ? ttl : this.windowMs)) };
  }

  async decrement(key: string): Promise<void> {
    await this.redis.decr(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

export interface RateLimitOptions {
  windowMs: number;
  max: number;
}

/**
 * Limits each client address on the public API; answers 429 in the envelope. When Redis
 * cannot count, requests pass: an outage of the limiter must not become an outage of orders.
 */
export function rateLimiter(redis: Redis, opts: RateLimitOptions = { windowMs: config.RATE_LIMIT_WINDOW_MS, max: config.RATE_LIMIT_MAX }): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    store: new RedisWindowStore(redis, `${config.QUEUE_PREFIX}:ratelimit:`),
    handler: (_req, res) => {
      fail(res, 429, 'Too many requests', [{ field: 'rate', message: `At most ${opts.max} requests per ${Math.round(opts.windowMs / 1000)} s; retry later` }]);
    },
  });
}
