/**
 * Fast retries for the job-pipeline tests. Import it FIRST in a test file, before anything
 * that loads src/config (queue default options are read from config once).
 */
Object.assign(process.env, {
  JOB_ATTEMPTS: process.env.JOB_ATTEMPTS ?? '3',
  JOB_BACKOFF_MS: process.env.JOB_BACKOFF_MS ?? '40',
  JOB_BACKOFF_JITTER: '0',
  CUSTOMER_STATS_DEBOUNCE_MS: process.env.CUSTOMER_STATS_DEBOUNCE_MS ?? '150',
  EMAIL_TIMEOUT_MS: '2000',
  EMAIL_CLAIM_LOCK_MS: '8000',
});
