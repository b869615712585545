import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { RedisClient } from '../../infra/redis';
import { config } from '../../config';
import { logger } from '../../logger';
import { fail } from '../envelope';
import { hasServiceKey } from './service-key';

/** What this process holds of one client's budget in the current window. */
interface Claim {
  /** Hits counted in Redis before this process's last claim, and places of it still unused. */
  base: number;
  granted: number;
  left: number;
  /** Redis said the budget is spent: nothing more is granted in this window. */
  spent: boolean;
  /** A claim in flight; concurrent requests of the client wait for it instead of claiming too. */
  pending: Promise<void> | null;
}

/**
 * A fixed-window counter in Redis, shared by every API process of the cluster, in windows
 * aligned to the clock (`<prefix><client>:<window number>`). With a batch above 1, a
 * process claims that many places at once (INCRBY) and hands them out locally, so only one
 * request in `batch` waits on Redis; a process never hands out more than Redis granted it,
 * so the cluster never lets more than the limit through. What a claim costs: a client may
 * be refused up to `batch - 1` requests early per API process (places claimed and not used
 * by the window's end). Once Redis says the budget is spent, the process refuses the
 * client without asking again until the window ends. (Not rate-limit-redis: it loads its
 * scripts once at start and stays broken if Redis was briefly away then.)
 */
class RedisWindowStore implements Store {
  private windowMs = 60_000;
  private limit = 0;
  private window = -1;
  private readonly claims = new Map<string, Claim>();
  readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly batch: number,
  ) {
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.limit = typeof options.limit === 'number' ? options.limit : 0;
  }

  private keyOf(key: string, window: number): string {
    return `${this.prefix}${key}:${window}`;
  }

  /** Claims places for `key` in `window` from Redis; throws when Redis cannot count. */
  private async claim(key: string, window: number, claim: Claim): Promise<void> {
    const k = this.keyOf(key, window);
    const res = await this.redis.multi().incrby(k, this.batch).pexpireat(k, this.expiryOf(window)).exec();
    if (!res || res.some(([err]) => err)) throw new Error('rate limit counter unavailable');
    const total = Number(res[0][1]);
    claim.base = total - this.batch;
    claim.granted = Math.max(0, Math.min(this.batch, this.limit - claim.base));
    claim.left = claim.granted;
    claim.spent = claim.granted < this.batch;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const window = Math.floor(Date.now() / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.claims.clear();
    }
    const resetTime = new Date((window + 1) * this.windowMs);
    let claim = this.claims.get(key);
    if (!claim) {
      claim = { base: 0, granted: 0, left: 0, spent: false, pending: null };
      // One request in `batch` asks Redis; with a batch of 1 every one does and nothing is kept.
      if (this.batch > 1) this.claims.set(key, claim);
    }
    // Until this request has a place or the budget is spent: requests that waited on one
    // claim and found its places taken by the others claim again.
    for (;;) {
      if (claim.left > 0) {
        claim.left--;
        return { totalHits: claim.base + claim.granted - claim.left, resetTime };
      }
      if (claim.spent) return { totalHits: Math.max(this.limit + 1, claim.base + this.batch), resetTime };
      if (!claim.pending) {
        claim.pending = this.claim(key, window, claim).finally(() => {
          if (claim) claim.pending = null;
        });
      }
      await claim.pending;
    }
  }

  /** When the counter of `window` expires: a little after the window, so clocks a few seconds apart still share it. */
  private expiryOf(window: number): number {
    return (window + 1) * this.windowMs + 5_000;
  }

  /** The window a place was taken in, from the reset time `increment` answered with it. */
  windowOf(resetTime: Date): number {
    return Math.round(resetTime.getTime() / this.windowMs) - 1;
  }

  /**
   * Gives back a place taken in `window` (limits that give places back count every
   * request in Redis: batch 1). Only that window's counter is touched, and only while the
   * window lasts: a place of an ended window is gone with it, and giving it back to the
   * current one would grant an extra place. The decrement carries the counter's expiry,
   * so even one that reaches Redis late (after the counter expired) leaves no key behind
   * without a TTL.
   */
  async giveBack(key: string, window: number): Promise<void> {
    if (Math.floor(Date.now() / this.windowMs) !== window) return;
    const k = this.keyOf(key, window);
    await this.redis.multi().decr(k).pexpireat(k, this.expiryOf(window)).exec();
  }

  /**
   * The library's give-back names no window, so this store does not take it: places are
   * given back through `giveBack` (see redisCounter), never with skip*Requests.
   */
  decrement(): Promise<void> {
    return Promise.reject(new Error('give places back with giveBack(key, window)'));
  }

  async resetKey(key: string): Promise<void> {
    this.claims.delete(key);
    await this.redis.del(this.keyOf(key, this.window));
  }
}

/**
 * Places a process claims at once: 1 for small budgets (each request counted in Redis),
 * up to 10 for large ones, so what a claim can cost a client (`batch - 1` early refusals
 * per API process) stays at most 1% of its budget per process.
 */
export const claimBatchOf = (max: number): number => Math.max(1, Math.min(10, Math.floor(max / 100)));

/**
 * The counter key of a client address (an IPv6 address by its /56 network, IPv4-mapped
 * ones as IPv4), remembered: parsing the address was 1.5% of the API's CPU on get-order, and
 * a busy API sees the same few addresses (its proxies, or its clients) over and over. The
 * memory is bounded: the whole table is dropped when it fills.
 */
const keyOfAddress = new Map<string, string>();
const KEYS_REMEMBERED = 10_000;
export function clientKeyOf(ip: string): string {
  let key = keyOfAddress.get(ip);
  if (key === undefined) {
    if (keyOfAddress.size >= KEYS_REMEMBERED) keyOfAddress.clear();
    key = ipKeyGenerator(ip);
    keyOfAddress.set(ip, key);
  }
  return key;
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
  // One key per client address (a single-key MULTI, so any Redis Cluster slot will do).
  // Limits that give places back (counts) count every request in Redis: giving back is exact there.
  const store = new RedisWindowStore(
    redis,
    `${config.QUEUE_PREFIX}:${spec.name}:`,
    counts ? 1 : claimBatchOf(spec.max),
  );
  const limiter = rateLimit({
    windowMs: spec.windowMs,
    limit: spec.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    keyGenerator: (req) => clientKeyOf(req.ip ?? 'unknown'),
    // The library guesses from the key generator's source whether it groups IPv6 addresses;
    // ours does, through clientKeyOf (ipKeyGenerator, remembered).
    validate: { keyGeneratorIpFallback: false },
    store,
    // Each limit notes its own place on the request, so a give-back never reads another's.
    requestPropertyName: placeProperty(spec.name),
    ...(spec.skip && { skip: spec.skip }),
    handler: (_req, res) => {
      fail(res, 429, 'Too many requests', [{ field: spec.field, message: spec.message }]);
    },
  });
  if (!counts) return limiter;
  // Counted before the request runs (so a burst cannot slip past the limit), given back
  // after when its response does not count, to the window the place was taken from.
  return (req, res, next) => {
    void limiter(req, res, (err?: unknown) => {
      const place = placeOf(req, spec.name);
      if (!err && place?.resetTime) {
        const window = store.windowOf(place.resetTime);
        res.once('finish', () => {
          if (!counts(res)) {
            store.giveBack(place.key, window).catch((e: unknown) => {
              logger.warn(
                { err: e instanceof Error ? e.message : String(e), limit: spec.name },
                'rate limit place not given back',
              );
            });
          }
        });
      }
      next(err);
    });
  };
}

const placeProperty = (name: string): string => `rateLimit:${name}`;

/** What express-rate-limit noted on the request of the place limit `name` took (absent when it took none). */
function placeOf(req: Request, name: string): { key: string; resetTime: Date | undefined } | undefined {
  const info: unknown = Reflect.get(req, placeProperty(name));
  if (typeof info !== 'object' || info === null || !('key' in info) || typeof info.key !== 'string') return undefined;
  const resetTime = 'resetTime' in info && info.resetTime instanceof Date ? info.resetTime : undefined;
  return { key: info.key, resetTime };
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} minute${ms === 60_000 ? '' : 's'}`;

/** The public API: requests per client address per window. */
export function rateLimiter(
  redis: RedisClient,
  opts: RateLimitOptions = { windowMs: config.RATE_LIMIT_WINDOW_MS, max: config.RATE_LIMIT_MAX },
): RequestHandler {
  return redisCounter(redis, {
    ...opts,
    name: 'ratelimit',
    field: 'rate',
    message: `At most ${opts.max} requests per ${Math.round(opts.windowMs / 1000)} s; retry later`,
  });
}

export const BOARD_LOGIN_WINDOW_MS = 15 * 60_000;

/**
 * Failed operator logins per client address. Every request with credentials takes a place
 * before they are checked and gives it back unless they were wrong, so once the limit is
 * reached even the right password gets 429: the board cannot be used to tell a right
 * guess from a wrong one. A request without credentials (the browser's first, which gets
 * the challenge) is no login attempt.
 */
export function boardLoginLimiter(
  redis: RedisClient,
  max: number = config.BOARD_LOGIN_MAX_FAILURES,
  windowMs: number = BOARD_LOGIN_WINDOW_MS,
): RequestHandler {
  return redisCounter(redis, {
    name: 'board-login',
    windowMs,
    max,
    field: 'authorization',
    message: `More than ${max} failed logins in ${minutes(windowMs)}; retry later`,
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
