import type { MailerOptions } from '../clients/mailer';
import type { PeerOptions } from '../clients/platform-http';
import { config } from '../config';

/** How the workers run; from config, overridable so tests can use small delays. */
export interface WorkerSettings {
  concurrency: number;
  /** Webhook jobs at once in this process. */
  webhookConcurrency: number;
  /** Analytics jobs running at once across all processes (BullMQ global concurrency). */
  analyticsConcurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Stalls (its worker died, or its lock lapsed) a job survives before it fails. */
  maxStalledCount: number;
  customerStatsDebounceMs: number;
  emailClaimLockMs: number;
  /** How often the schedulers and the analytics limit, both kept in Redis, are set again. */
  schedulerCheckIntervalMs: number;
  /** The domain of Message-IDs (`<eventId@domain>`). */
  messageIdDomain: string;
}

export function workerSettings(overrides: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    concurrency: config.WORKER_CONCURRENCY,
    analyticsConcurrency: config.ANALYTICS_CONCURRENCY,
    webhookConcurrency: config.WEBHOOK_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
    customerStatsDebounceMs: config.CUSTOMER_STATS_DEBOUNCE_MS,
    emailClaimLockMs: config.EMAIL_CLAIM_LOCK_MS,
    schedulerCheckIntervalMs: config.SCHEDULER_CHECK_INTERVAL_MS,
    messageIdDomain: config.EMAIL_FROM.split('@')[1] ?? 'orms.local',
    ...overrides,
  };
}

/** The mailer's settings, from config (EMAIL_*); tests point it elsewhere. */
export function mailerOptions(overrides: Partial<MailerOptions> = {}): MailerOptions {
  return {
    host: config.EMAIL_HOST,
    port: config.EMAIL_PORT,
    secure: config.EMAIL_SECURE,
    user: config.EMAIL_USER,
    password: config.EMAIL_PASSWORD,
    from: config.EMAIL_FROM,
    timeoutMs: config.EMAIL_TIMEOUT_MS,
    dir: config.EMAIL_DIR,
    poolSize: config.WORKER_CONCURRENCY,
    ...overrides,
  };
}

/** The Customer Service the statistics go to, from config; tests stand one up. */
export function customerServiceOptions(overrides: Partial<PeerOptions> = {}): PeerOptions {
  return {
    url: config.CUSTOMER_SERVICE_URL,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    serviceApiKey: config.SERVICE_API_KEY,
    ...overrides,
  };
}
