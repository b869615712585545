import path from 'node:path';

/**
 * Each test file gets its own database and queue prefix, so files running in parallel never
 * see each other's data. Runs before the test file imports anything (config reads these).
 */
const file = path.basename(expect.getState().testPath ?? 'unknown', '.test.ts');
const slug = file
  .replace(/[^a-z0-9]+/gi, '_')
  .toLowerCase()
  .slice(0, 30);
const run = `${slug}_${process.pid}`;

Object.assign(process.env, {
  NODE_ENV: 'test',
  ENVIRONMENT: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  MONGODB_URI: `mongodb://127.0.0.1:27017/t_${run}`,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: `orms-t-${run}`,
  JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
  SERVICE_API_KEY: 'test-service-api-key-0123456789',
  WEBHOOK_SECRET_KEY: 'dGVzdC13ZWJob29rLXNlY3JldC1rZXktMDEyMzQ1Njc=',
  OUTBOX_SWEEP_AGE_MS: '300',
  OUTBOX_SWEEP_INTERVAL_MS: '200',
  BOARD_USER: '',
  BOARD_PASSWORD: '',
  EMAIL_HOST: '',
  RATE_LIMIT_MAX: '1000000',
  // Suites that send many wrong keys on purpose (authorization matrix, fuzz); test/abuse-limits sets its own.
  SERVICE_KEY_MAX_FAILURES: '1000000',
  // The job pipeline in milliseconds: few, fast retries; short debounce and SMTP timeouts.
  JOB_ATTEMPTS: process.env.JOB_ATTEMPTS ?? '3',
  JOB_BACKOFF_MS: process.env.JOB_BACKOFF_MS ?? '40',
  JOB_BACKOFF_JITTER: '0',
  // Not BullMQ's default (10,000), so a queue made without the setting shows (test/retention).
  QUEUE_EVENTS_MAX_LEN: '5000',
  CUSTOMER_STATS_DEBOUNCE_MS: process.env.CUSTOMER_STATS_DEBOUNCE_MS ?? '150',
  EMAIL_TIMEOUT_MS: '2000',
  EMAIL_CLAIM_LOCK_MS: '8000',
  // Webhook receivers in tests listen on loopback; retries in milliseconds.
  WEBHOOK_ALLOW_PRIVATE_URLS: process.env.WEBHOOK_ALLOW_PRIVATE_URLS ?? 'true',
  WEBHOOK_MAX_ATTEMPTS: process.env.WEBHOOK_MAX_ATTEMPTS ?? '4',
  WEBHOOK_BACKOFF_MS: process.env.WEBHOOK_BACKOFF_MS ?? '50',
  EVENT_FEED_SEQUENCE_INTERVAL_MS: '200',
  ADMIN_EMAILS: 'ops@example.com',
  // The API and its worker processes share it, as production's mount would; no other file sees it.
  EXPORT_DIR: path.join('var', 'test-exports', run),
});
