import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { secretGuessesLog10 } from './shared/secret-strength';
import { WORK_QUEUE_NAMES, ORDER_STATUSES } from './shared/names';

/**
 * Every setting of the service, read once from the environment and validated at boot.
 * Keys follow the implementation guide (section 6.2); each is documented in .env.example.
 */

/** Accepts a JSON array (`["a","b"]`, as the guide writes it) or a comma-separated list. */
function list<T extends z.ZodType<string>>(item: T) {
  return z
    .string()
    .transform((raw, ctx) => {
      const text = raw.trim();
      if (text.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(text);
          if (Array.isArray(parsed)) return parsed;
        } catch {
          /* reported below */
        }
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of strings or a comma-separated list' });
        return z.NEVER;
      }
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    })
    .pipe(z.array(item));
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();
/** A retention window in days; a fraction is allowed (the soak benchmark turns windows over in minutes). */
const retentionDays = z.coerce.number().positive().max(3650);
/** Empty, or the standard base64 of 32 bytes (`openssl rand -base64 32`). */
const aesKey = z
  .string()
  .refine(
    (v) => v === '' || (/^[A-Za-z0-9+/]{43}=$/.test(v) && Buffer.from(v, 'base64').length === 32),
    'must be 32 bytes in standard base64 (openssl rand -base64 32)',
  );

/**
 * The secrets .env.example ships with (a test keeps the two in step). Anyone can read them,
 * so production and staging refuse them, as they refuse any shorter than these lengths.
 */
export const EXAMPLE_SECRETS = {
  JWT_SECRET: 'local-development-secret-change-me-0123456789',
  SERVICE_API_KEY: 'local-service-key-change-me',
  BOARD_PASSWORD: 'local-board-password',
  WEBHOOK_SECRET_KEY: 'bG9jYWwtd2ViaG9vay1rZXktY2hhbmdlLW1lLTAxMjM=',
} as const;
const PRODUCTION_SECRET_LENGTH: Record<keyof typeof EXAMPLE_SECRETS, number> = {
  JWT_SECRET: 32,
  SERVICE_API_KEY: 24,
  BOARD_PASSWORD: 16,
  WEBHOOK_SECRET_KEY: 44,
};
/** A secret of fewer distinct characters is a pattern (`changeme` four times, `aaaa…`), not a random value. */
const MIN_DISTINCT_SECRET_CHARACTERS = 12;
/** A secret a cracker would find in fewer guesses than 10^this (zxcvbn's estimate) is refused: `password12345678` is about 10^4. */
const MIN_SECRET_GUESSES_LOG10 = 12;
/** More proxies than this in front of the API is a mistake: the client's address would be one it chose. */
const MAX_PROXY_HOPS = 10;

/** Environments that face real users: no example secrets, no open docs or metrics. */
export const isProductionLike = (env: string): boolean => env === 'production' || env === 'staging';

const PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];
function isAddressOrSubnet(s: string): boolean {
  if (PROXY_PRESETS.includes(s)) return true;
  const [address, bits, extra] = s.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  // A prefix of 0 (every address) is refused by express itself, with a stack trace.
  return (
    bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) >= 1 && Number(bits) <= (family === 4 ? 32 : 128))
  );
}

/** Whether trusted proxy subnets together cover every IPv4 or every IPv6 address (`0.0.0.0/1,128.0.0.0/1`). */
export function trustsEveryAddress(list: readonly string[]): boolean {
  return (['ipv4', 'ipv6'] as const).some((kind) => {
    const width = kind === 'ipv4' ? 32 : 128;
    const spans = list
      .filter((s) => !PROXY_PRESETS.includes(s))
      .map((s) => (s.includes('/') ? ipaddr.parseCIDR(s) : ([ipaddr.parse(s), width] as const)))
      .filter(([address]) => address.kind() === kind)
      .map(([address, bits]) => {
        const value = address.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
        const size = 1n << BigInt(width - bits);
        const start = (value / size) * size;
        return [start, start + size] as const;
      })
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let covered = 0n;
    for (const [start, end] of spans) {
      if (start > covered) break;
      if (end > covered) covered = end;
    }
    return covered >= 1n << BigInt(width);
  });
}

/**
 * express's `trust proxy`: `false`, `true`, a hop count, or trusted proxy addresses and
 * subnets (comma list; `loopback`, `linklocal`, `uniquelocal` as express names them).
 */
const trustProxy = z
  .string()
  .trim()
  .transform((raw, ctx): boolean | number | string[] => {
    const v = raw.toLowerCase();
    if (v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.filter((s) => !isAddressOrSubnet(s));
    if (list.length && !bad.length) return list;
    ctx.addIssue({
      code: 'custom',
      message: `must be false, true, a hop count or a list of proxy addresses/subnets${bad.length ? ` (not an address: ${bad.join(', ')})` : ''}`,
    });
    return z.NEVER;
  });

/** Every key, with its type and default; `configSchema` adds the rules between keys. */
export const configKeys = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  SERVICE_NAME: z.string().min(1).default('order-service'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8002),
  API_VERSION: z.string().min(1).default('v1'),
  // Slow clients (README "Slow clients"): a request's headers must arrive within, the whole
  // request within; an idle keep-alive connection is kept longer than a load balancer's
  // (65 s is a common idle timeout: the balancer, not we, must close first).
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.max(600_000).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.max(600_000).default(70_000),
  // Connections one API process holds at once; more are closed as they arrive.
  MAX_CONNECTIONS: positiveInt.max(100_000).default(1_000),

  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'must be a mongodb:// or mongodb+srv:// URL')
    .default('mongodb://127.0.0.1:27017/order_db'),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: positiveInt.default(5000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  // A Redis Cluster instead of REDIS_URL: some of its nodes, as host:port (the rest are discovered).
  REDIS_CLUSTER_NODES: list(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')).default([]),
  // Credentials and TLS for every connection, to one server or each node of a cluster
  // (README "Redis"); a rediss:// REDIS_URL turns TLS on as well. The CA file verifies
  // servers whose certificate a private CA signed; empty: the system's CAs.
  REDIS_USERNAME: z.string().default(''),
  REDIS_PASSWORD: z.string().default(''),
  REDIS_TLS: bool.default(false),
  REDIS_TLS_CA_FILE: z.string().default(''),
  // The stem of every key: each queue is `{<stem>:<queue>}` (its own Redis Cluster slot).
  // Braces around it, as older deployments wrote it, are dropped.
  QUEUE_PREFIX: z
    .string()
    .transform((s) => s.replace(/^\{(.*)\}$/, '$1'))
    .pipe(z.string().regex(/^[^{}\s]+$/, 'must be a key stem without braces or spaces'))
    .default('orms'),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 needs a strong key)'),
  JWT_ALGORITHM: z.literal('HS256', { message: 'only HS256 is supported' }).default('HS256'),
  // Token policy, each checked only when set.
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_MAX_LIFETIME_SECONDS: positiveInt.optional(),
  // How far in the future a token's `iat` may be (the issuer's clock ahead of ours); beyond: 401.
  JWT_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),

  AUTH_SERVICE_URL: z.url().default('http://localhost:3001'),
  CUSTOMER_SERVICE_URL: z.url().default('http://localhost:8001'),
  SERVICE_API_KEY: z.string().min(16, 'must be at least 16 characters'),
  UPSTREAM_TIMEOUT_MS: positiveInt.default(3000),

  EMAIL_HOST: z.string().default(''),
  EMAIL_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  EMAIL_USER: z.string().default(''),
  EMAIL_PASSWORD: z.string().default(''),
  EMAIL_FROM: z.email().default('orders@rman-ecommerce.com'),

  ORDER_ID_PREFIX: z
    .string()
    .regex(/^[A-Z]{2,8}$/, 'must be 2-8 capital letters')
    .default('ORD'),
  RETURN_ID_PREFIX: z
    .string()
    .regex(/^[A-Z]{2,8}$/, 'must be 2-8 capital letters')
    .default('RET'),
  ORDER_CANCELLATION_ALLOWED_STATUSES: list(z.enum(ORDER_STATUSES)).default(['Placed', 'Processing']),
  ORDER_RETURN_ALLOWED_STATUSES: list(z.enum(ORDER_STATUSES)).default(['Delivered']),

  // Origins by name: `*` is not one (the browser would be told no origin at all).
  CORS_ORIGINS: list(
    z
      .string()
      .min(1)
      .refine((o) => o !== '*', 'must name the origins; `*` is not one'),
  ).default(['http://localhost:3000', 'http://localhost:19006']),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb')
    .default('100kb'),
  TRUST_PROXY: trustProxy.default(false),
  // Swagger UI and the OpenAPI document; unset: on in development and test, off elsewhere.
  DOCS_ENABLED: bool.optional(),

  LOG_LEVEL: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .default('info'),

  BOARD_USER: z.string().default(''),
  BOARD_PASSWORD: z.string().default(''),
  BOARD_READ_ONLY: bool.default(true),
  BOARD_LOGIN_MAX_FAILURES: positiveInt.default(10),
  SERVICE_KEY_MAX_FAILURES: positiveInt.default(30),

  METRICS_ENABLED: bool.default(true),
  METRICS_TOKEN: z.string().default(''),
  // Each worker process serves its own /metrics on this port (plus pm2's NODE_APP_INSTANCE); 0: none.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  RATE_LIMIT_MAX: positiveInt.default(600),

  // How long a request holding an Idempotency-Key is trusted to be alive; after that a
  // retry takes over and recovers what the first one committed.
  IDEMPOTENCY_LOCK_MS: positiveInt.default(30_000),
  // How long a key's answer is replayed (the guide's 24 h); the maintenance removes it after.
  IDEMPOTENCY_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),

  OUTBOX_SWEEP_INTERVAL_MS: positiveInt.default(10_000),
  OUTBOX_SWEEP_AGE_MS: z.coerce.number().int().min(0).default(5_000),
  // Purging expired idempotency records and items of never-committed orders: both look
  // at data hours or minutes old, and on FerretDB both are full scans, so rarely.
  MAINTENANCE_INTERVAL_MS: positiveInt.default(300_000),
  // The net under the queue: events of the last RECONCILE_WINDOW_HOURS whose effects are
  // not found done (Redis lost their jobs) are queued again, once the normal flow has had
  // RECONCILE_AFTER_MS to do them; looked at every RECONCILE_INTERVAL_MS.
  RECONCILE_WINDOW_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(24),
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(120_000),
  RECONCILE_INTERVAL_MS: positiveInt.default(60_000),
  // Redis that loses its data without dropping the connection (FLUSHALL, a failover to a
  // replica that had not caught up) loses the job schedulers too; every worker process of
  // `upkeep` (or `analytics`, for its global concurrency) sets them again this often.
  SCHEDULER_CHECK_INTERVAL_MS: positiveInt.default(30_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),

  // The job pipeline (DESIGN.md 10). Tests shrink the delays so retries take milliseconds.
  // Unset or empty (parseConfig: empty is unset): every queue. A subset is an operator's
  // choice, and another process must then work the rest (the worker logs which it leaves;
  // /metrics shows a queue no process works as orms_queue_workers 0, and an alert fires).
  WORKERS: list(z.enum(WORK_QUEUE_NAMES)).default([...WORK_QUEUE_NAMES]),
  JOB_ATTEMPTS: positiveInt.max(100).default(6),
  JOB_BACKOFF_MS: positiveInt.default(1000),
  JOB_BACKOFF_JITTER: z.coerce.number().min(0).max(1).default(0.5),
  JOB_KEEP_COMPLETED_SECONDS: positiveInt.default(24 * 3600),
  JOB_KEEP_COMPLETED_COUNT: positiveInt.default(10_000),
  // Failed jobs (their copy waits in dead-letter until replayed): trimmed by age and count.
  JOB_KEEP_FAILED_SECONDS: positiveInt.default(7 * 24 * 3600),
  JOB_KEEP_FAILED_COUNT: positiveInt.default(10_000),
  // Each queue's stream of job events (BullMQ trims it to about this many entries; its default).
  QUEUE_EVENTS_MAX_LEN: positiveInt.default(10_000),
  // Retention (docs/operations.md): logs and marks of finished work, removed in small
  // batches by the maintenance. Those a job may still need are kept at least as long as a
  // job can still come (WEBHOOK_MAX_ATTEMPTS × WEBHOOK_MAX_RETRY_DELAY_MS, never less than
  // RECONCILE_WINDOW_HOURS).
  WEBHOOK_DELIVERY_RETENTION_DAYS: retentionDays.default(30),
  WEBHOOK_MARK_RETENTION_DAYS: retentionDays.default(30),
  BULK_RETENTION_DAYS: retentionDays.default(30),
  EMAIL_DELIVERY_RETENTION_DAYS: retentionDays.default(30),
  ANALYTICS_MARK_RETENTION_DAYS: retentionDays.default(30),
  ATTENTION_CHECK_RETENTION_DAYS: retentionDays.default(30),
  WORKER_CONCURRENCY: positiveInt.max(100).default(5),
  // Analytics jobs at once across every worker process. 1 on FerretDB v1, which does not
  // apply concurrent updates of one document atomically (it loses $inc).
  ANALYTICS_CONCURRENCY: positiveInt.max(100).default(1),
  WORKER_LOCK_DURATION_MS: positiveInt.default(30_000),
  WORKER_STALLED_INTERVAL_MS: positiveInt.default(30_000),
  // A stall is a worker that died (deploy, OOM, kill) or a lock that lapsed while Redis
  // was away, not a fault of the job; every handler is idempotent, so a few are harmless.
  // BullMQ's default of 1 failed jobs whose worker happened to die twice under them.
  WORKER_MAX_STALLED_COUNT: z.coerce.number().int().min(0).max(100).default(3),
  CUSTOMER_STATS_DEBOUNCE_MS: z.coerce.number().int().min(0).default(2000),
  EMAIL_SECURE: bool.default(false),
  EMAIL_TIMEOUT_MS: positiveInt.default(15_000),
  EMAIL_CLAIM_LOCK_MS: positiveInt.default(60_000),
  EMAIL_DIR: z.string().min(1).default('var/mail'),

  // Webhooks and the event feed (README "Webhooks").
  // Refused in staging and production: receivers on loopback or private networks (SSRF).
  WEBHOOK_ALLOW_PRIVATE_URLS: bool.default(false),
  // Webhook secrets are sealed with it at rest (AES-256-GCM); the previous key opens what it
  // sealed until the upkeep has sealed everything again (README "Webhooks"). Required in
  // staging and production; without one, development stores secrets as they are.
  WEBHOOK_SECRET_KEY: aesKey.default(''),
  WEBHOOK_SECRET_KEY_PREVIOUS: aesKey.default(''),
  WEBHOOK_SECRET_OVERLAP_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  WEBHOOK_MAX_ATTEMPTS: positiveInt.max(50).default(12),
  // The longest wait between two attempts, whatever Retry-After asks; with
  // WEBHOOK_MAX_ATTEMPTS it bounds how long a delivery's job may still come.
  WEBHOOK_MAX_RETRY_DELAY_MS: positiveInt.default(86_400_000),
  // The first retry's delay; each next one doubles (with up to 20% added at random).
  WEBHOOK_BACKOFF_MS: positiveInt.default(60_000),
  WEBHOOK_CONNECT_TIMEOUT_MS: positiveInt.default(3_000),
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  // A receiver's name not resolved in this long fails that attempt (it is retried).
  WEBHOOK_DNS_TIMEOUT_MS: positiveInt.max(30_000).default(2_000),
  // The DNS servers webhook names are asked of (`address` or `address:port`); empty: the system's.
  WEBHOOK_DNS_SERVERS: list(
    z
      .string()
      .refine(
        (s) => isIP(s.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([^:]+):\d+$/, '$1')) !== 0,
        'must be an IP address, with an optional :port',
      ),
  ).default([]),
  // A subscription whose deliveries have all failed for this long is disabled.
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(72),
  // Deliveries at once per worker process, in all and to one subscription.
  WEBHOOK_CONCURRENCY: positiveInt.max(500).default(20),
  WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: positiveInt.max(100).default(4),
  EVENT_FEED_RETENTION_DAYS: retentionDays.default(30),
  EVENT_FEED_SEQUENCE_INTERVAL_MS: positiveInt.default(1_000),
  // Who is told when a subscription is disabled; empty: nobody (the log says it).
  ADMIN_EMAILS: list(z.email()).default([]),

  // Work left too long (README "Overdue work"): an order not shipped this long after it was
  // placed, a return request not reviewed this long after it was made.
  FULFILMENT_SLA_HOURS: z.coerce.number().positive().default(48),
  RETURN_REVIEW_SLA_HOURS: z.coerce.number().positive().default(72),
  // Who gets the daily digest of overdue work; empty: nobody (the endpoint and gauge still tell).
  OPS_EMAIL: z.union([z.literal(''), z.email()]).default(''),
  // When the check runs (cron, UTC; six fields for seconds); hourly by default.
  ATTENTION_CHECK_CRON: z.string().min(9).default('0 * * * *'),

  // Order exports (README "Exports"): files are written under EXPORT_DIR, which the API and
  // the workers must share, and removed with their record EXPORT_TTL_HOURS after they are asked for.
  EXPORT_DIR: z.string().min(1).default('var/exports'),
  EXPORT_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(24),

  // Fault injection for the crash tests; refused outside ENVIRONMENT=test.
  TEST_CRASH_AFTER_ORDER_WRITE: bool.default(false),
  TEST_UPKEEP_TICK_DELAY_MS: z.coerce.number().int().min(0).default(0),
});

export const configSchema = configKeys
  .superRefine((c, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    if (c.TEST_CRASH_AFTER_ORDER_WRITE && c.ENVIRONMENT !== 'test')
      issue('TEST_CRASH_AFTER_ORDER_WRITE', 'is only allowed when ENVIRONMENT=test');
    if (c.TEST_UPKEEP_TICK_DELAY_MS && c.ENVIRONMENT !== 'test')
      issue('TEST_UPKEEP_TICK_DELAY_MS', 'is only allowed when ENVIRONMENT=test');
    if (c.EMAIL_CLAIM_LOCK_MS < 4 * c.EMAIL_TIMEOUT_MS) {
      // A claim may only be taken over once the attempt holding it has certainly given up:
      // connect, greeting and the SMTP commands each get up to EMAIL_TIMEOUT_MS.
      issue('EMAIL_CLAIM_LOCK_MS', 'must be at least 4 × EMAIL_TIMEOUT_MS');
    }
    // Node refuses a server whose headers may take longer than the whole request.
    if (c.HTTP_HEADERS_TIMEOUT_MS > c.HTTP_REQUEST_TIMEOUT_MS)
      issue('HTTP_HEADERS_TIMEOUT_MS', 'must not be more than HTTP_REQUEST_TIMEOUT_MS');
    if (c.REDIS_TLS_CA_FILE && !existsSync(c.REDIS_TLS_CA_FILE))
      issue('REDIS_TLS_CA_FILE', `names no file: ${c.REDIS_TLS_CA_FILE}`);
    if (Boolean(c.BOARD_USER) !== Boolean(c.BOARD_PASSWORD))
      issue('BOARD_PASSWORD', 'BOARD_USER and BOARD_PASSWORD must be set together');
    if (c.WEBHOOK_SECRET_KEY_PREVIOUS && c.WEBHOOK_SECRET_KEY_PREVIOUS === c.WEBHOOK_SECRET_KEY)
      issue('WEBHOOK_SECRET_KEY_PREVIOUS', 'must differ from WEBHOOK_SECRET_KEY (it is the key being retired)');
    if (c.WEBHOOK_SECRET_KEY_PREVIOUS && !c.WEBHOOK_SECRET_KEY)
      issue(
        'WEBHOOK_SECRET_KEY',
        'is required while WEBHOOK_SECRET_KEY_PREVIOUS is set (the key the secrets are sealed with again)',
      );
    if (!isProductionLike(c.ENVIRONMENT)) return;
    const where = `in ${c.ENVIRONMENT}`;
    // One rule for every secret: long enough, not a pattern, not the example anyone can read.
    const weakness = (value: string, minLength: number, example?: string): string | null => {
      if (example && value.includes(example))
        return 'is or contains the example value from .env.example, which anyone can read';
      if (value.length < minLength) return `must be at least ${minLength} characters ${where}`;
      if (new Set(value).size < MIN_DISTINCT_SECRET_CHARACTERS)
        return `has fewer than ${MIN_DISTINCT_SECRET_CHARACTERS} distinct characters ${where}: a pattern, not a secret`;
      const guesses = secretGuessesLog10(value);
      if (guesses < MIN_SECRET_GUESSES_LOG10)
        return `is guessable ${where} (about 10^${Math.floor(guesses)} guesses: common passwords, words, keyboard runs or sequences)`;
      return null;
    };
    const secret = (key: string, value: string, minLength: number, example?: string) => {
      const weak = weakness(value, minLength, example);
      if (weak)
        issue(
          key,
          `${weak}; generate one (${key === 'WEBHOOK_SECRET_KEY' ? 'openssl rand -base64 32' : 'openssl rand -hex 32'})`,
        );
    };
    for (const key of Object.keys(EXAMPLE_SECRETS) as (keyof typeof EXAMPLE_SECRETS)[]) {
      if (key === 'BOARD_PASSWORD' && !c[key]) continue; // no password, no board
      secret(key, c[key], PRODUCTION_SECRET_LENGTH[key], EXAMPLE_SECRETS[key]);
    }
    if (c.METRICS_ENABLED && !c.METRICS_TOKEN)
      issue('METRICS_TOKEN', `is required ${where} while METRICS_ENABLED=true (/metrics would be open to anyone)`);
    else if (c.WORKER_METRICS_PORT && !c.METRICS_TOKEN)
      issue(
        'METRICS_TOKEN',
        `is required ${where} while WORKER_METRICS_PORT is set (the workers' /metrics would be open to anyone)`,
      );
    else if (c.METRICS_TOKEN) secret('METRICS_TOKEN', c.METRICS_TOKEN, 32);
    if (c.WEBHOOK_ALLOW_PRIVATE_URLS)
      issue(
        'WEBHOOK_ALLOW_PRIVATE_URLS',
        `must not be true ${where}: webhooks could reach the service's own network (SSRF)`,
      );
    if (c.TRUST_PROXY === true)
      issue(
        'TRUST_PROXY',
        `must not be true ${where}: any client could choose its own address; give the hop count or the proxies' addresses`,
      );
    else if (typeof c.TRUST_PROXY === 'number' && c.TRUST_PROXY > MAX_PROXY_HOPS)
      issue(
        'TRUST_PROXY',
        `must not be a hop count above ${MAX_PROXY_HOPS} ${where}: the client's address would be one it wrote itself`,
      );
    else if (Array.isArray(c.TRUST_PROXY) && trustsEveryAddress(c.TRUST_PROXY))
      issue(
        'TRUST_PROXY',
        `must not trust every address ${where} (its subnets cover all of IPv4 or IPv6): any client could choose its own address; name the proxies`,
      );
  })
  .transform((c) => ({ ...c, DOCS_ENABLED: c.DOCS_ENABLED ?? !isProductionLike(c.ENVIRONMENT) }));

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses an environment; the error has one line per offending key, naming it and why. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  // Empty strings mean "not set", as in most .env tooling. Only our keys are read.
  const known = new Set(Object.keys(configKeys.shape));
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => known.has(k) && v !== undefined && v !== ''),
  );
  const result = configSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = new Map<string, string>();
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'config');
    const missing = issue.code === 'invalid_type' && cleaned[key] === undefined;
    if (!lines.has(key)) lines.set(key, `config: ${key} ${missing ? 'is required but not set' : issue.message}`);
  }
  throw new ConfigError([...lines.values()].join('\n'));
}

function loadConfig(): Config {
  // A local .env fills in what the environment does not set (never overrides it).
  if (process.env.NODE_ENV !== 'test' && existsSync('.env')) process.loadEnvFile('.env');
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

export const config: Config = loadConfig();
