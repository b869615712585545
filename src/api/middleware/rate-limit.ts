import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { RedisClient } from '../../infra/redis';
import { config } from '../../config';
import { fail } from '../envelope';
import { hasServiceKey } from './service-key';

/**
 * A fixed-window counter in Redis, shared by every API process of the cluster. (Not
 * rate-limit-redis: it loads its scripts once at start and stays broken if Redis was
 * briefly away then; plain INCR/PEXPIRE needs no scripts.)
 */
class RedisWindowStore implements Store {
  private windowMs = 60_000;
  readonly prefix: string;

  constructor(private readonly redis: RedisClient, prefix: string) {
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

interface CounterSpec extends RateLimitOptions {
  /** Part of the Redis key: each limit counts on its own. */
  name: string;
  /** What the 429 names in `errors[]`, and why. */
  field: string;
  message: string;
  /** Requests the limit does not see at all. */
  skip?: (req: Request) => boolean;
  /** When set, only responses it accepts stay counted; the others are given back. */
  counts?: (res: Response) => boolean;
}

/**
 * A counter per client address in Redis, shared by every API process of the cluster;
 * beyond `max` in a window it answers 429 in the envelope, with `Retry-After` and the
 * RateLimit headers. When Redis cannot count, requests pass: an outage of the limiter
 * must not become an outage of the service.
 */
function redisCounter(redis: RedisClient, spec: CounterSpec): RequestHandler {
  const { counts } = spec;
  return rateLimit({
    windowMs: spec.windowMs,
    limit: spec.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    // One key per client address (a single-key MULTI, so any Redis Cluster slot will do).
    store: new RedisWindowStore(redis, `${config.QUEUE_PREFIX}:${spec.name}:`),
    ...(spec.skip && { skip: spec.skip }),
    // Counted before the request runs (so a burst cannot slip past the limit), given back after.
    ...(counts && { skipSuccessfulRequests: true, requestWasSuccessful: (_req: Request, res: Response) => !counts(res) }),
    handler: (_req, res) => {
      fail(res, 429, 'Too many requests', [{ field: spec.field, message: spec.message }]);
    },
  });
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} minute${ms === 60_000 ? '' : 's'}`;

/** The public API: requests per client address per window. */
export function rateLimiter(redis: RedisClient, opts: RateLimitOptions = { windowMs: config.RATE_LIMIT_WINDOW_MS, max: config.RATE_LIMIT_MAX }): RequestHandler {
  return redisCounter(redis, { ...opts, name: 'ratelimit', field: 'rate', message: `At most ${opts.max} requests per ${Math.round(opts.windowMs / 1000)} s; retry later` });
}

export const BOARD_LOGIN_WINDOW_MS = 15 * 60_000;

/**
 * Failed operator logins per client address. Every request with credentials takes a place
 * before they are checked and gives it back unless they were wrong, so once the limit is
 * reached even the right password gets 429: the board cannot be used to tell a right
 * guess from a wrong one. A request without credentials (the browser's first, which gets
 * the challenge) is no login attempt.
 */
export function boardLoginLimiter(redis: RedisClient, max: number = config.BOARD_LOGIN_MAX_FAILURES): RequestHandler {
  return redisCounter(redis, {
    name: 'board-login',
    windowMs: BOARD_LOGIN_WINDOW_MS,
    max,
    field: 'authorization',
    message: `More than ${max} failed logins in ${minutes(BOARD_LOGIN_WINDOW_MS)}; retry later`,
    skip: (req) => !req.get('authorization'),
    counts: (res) => res.statusCode === 401,
  });
}

/** Wrong service keys per client address per minute; a right key is never counted or limited. */
export function serviceKeyLimiter(redis: RedisClient, max: number = config.SERVICE_KEY_MAX_FAILURES): RequestHandler {
  return redisCounter(redis, {
    name: 'service-key',
    windowMs: 60_000,
    max,
    field: 'x-service-api-key',
    message: `More than ${max} wrong service keys in a minute; retry later`,
    skip: hasServiceKey,
  });
}
