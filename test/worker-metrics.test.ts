import { smallOrderBody } from './helpers/fixtures';
import { freePort } from './helpers/redis-server';
import { eventually, useTestApp } from './helpers/test-app';
import { peersEnv, startWorkerProcess } from './helpers/worker-process';
import { scrapeMetrics } from './helpers/scrape-metrics';

/**
 * A real worker process (emails and customer statistics) with WORKER_METRICS_PORT set
 * serves Prometheus metrics of its jobs behind the metrics token, scraped over HTTP while
 * orders go through the pipeline. The tests run in order: each adds to the counts before it.
 */
const TOKEN = 'worker-metrics-token-0123456789abcdef';
const t = useTestApp({ smtp: true, customers: true });
let metricsUrl: string;
beforeAll(async () => {
  const port = await freePort();
  const workers = await startWorkerProcess({
    ...peersEnv(t),
    WORKERS: 'emails,customer-stats',
    WORKER_METRICS_PORT: String(port),
    METRICS_TOKEN: TOKEN,
  });
  t.onClose(() => workers.kill());
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
}, 30_000);

const scrape = () => scrapeMetrics(metricsUrl, TOKEN);

/** Polls the metrics until `ready` holds, then returns the last scrape. */
async function scrapeUntil(ready: (m: Awaited<ReturnType<typeof scrape>>) => boolean, what: string) {
  return eventually(
    async () => {
      const m = await scrape();
      return ready(m) ? m : null;
    },
    20_000,
    what,
  );
}

const runs = (queue: string, outcome: string) => ['orms_job_duration_seconds_count', { queue, outcome }] as const;

describe('the metrics a worker process serves on WORKER_METRICS_PORT', () => {
  it('answers 401 in the envelope to a scrape without the metrics token or with another one', async () => {
    const none = await fetch(metricsUrl);
    const wrong = await fetch(metricsUrl, { headers: { authorization: 'Bearer not-the-token' } });

    for (const res of [none, wrong]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        success: false,
        message: 'Unauthorized',
        errors: [{ field: 'authorization', message: 'A valid metrics token is required' }],
      });
    }
  });

  it('counts the jobs it completed per queue and times each run, with every outcome of the queues it works starting at zero', async () => {
    const before = await scrape();
    expect(before('orms_jobs_completed_total', { queue: 'emails' })).toBe(0);
    expect(before('orms_jobs_retried_total', { queue: 'customer-stats' })).toBe(0);
    expect(before('orms_dead_letters_total', { queue: 'customer-stats' })).toBe(0);
    expect(before('orms_jobs_completed_total', { queue: 'analytics' })).toBeUndefined(); // not worked here

    await t.as('alice').placeOrder();

    // The confirmation email; the order event and the debounced statistics sync it asks for.
    const m = await scrapeUntil(
      (s) =>
        s('orms_jobs_completed_total', { queue: 'emails' }) === 1 &&
        s('orms_jobs_completed_total', { queue: 'customer-stats' }) === 2,
      'the jobs of one order',
    );
    expect(m(...runs('emails', 'completed'))).toBe(1);
    expect(m(...runs('customer-stats', 'completed'))).toBe(2);
    expect(m('orms_job_duration_seconds_sum', { queue: 'emails', outcome: 'completed' })).toBeGreaterThan(0);
    expect(m('orms_job_duration_seconds_bucket', { queue: 'emails', outcome: 'completed', le: '+Inf' })).toBe(1);
    expect(m('orms_jobs_failed_total', { queue: 'emails' })).toBe(0);
    expect(t.smtp.received).toHaveLength(1);
  });

  it('counts a failed attempt that will be retried as retried, not as failed', async () => {
    t.customers.answerNext(500);

    await t.as('bob').placeOrder(smallOrderBody(10));

    const m = await scrapeUntil(
      (s) =>
        s('orms_jobs_completed_total', { queue: 'customer-stats' }) === 4 &&
        s('orms_jobs_completed_total', { queue: 'emails' }) === 2,
      'the statistics sync to succeed on its second attempt, and the email',
    );
    expect(t.customers.calls.filter((c) => c.customerId === 'c-bob').map((c) => c.status)).toEqual([500, 200]);
    expect(m('orms_jobs_retried_total', { queue: 'customer-stats' })).toBe(1);
    expect(m(...runs('customer-stats', 'retried'))).toBe(1);
    expect(m('orms_jobs_failed_total', { queue: 'customer-stats' })).toBe(0);
    expect(m('orms_dead_letters_total', { queue: 'customer-stats' })).toBe(0);
  });

  it('counts a job that failed for good as failed, and the dead letter it made', async () => {
    t.customers.answerNext(404);

    await t.as('alice').placeOrder(smallOrderBody(20));

    // BullMQ reports the failure after the run has made the dead letter: both are waited for.
    const m = await scrapeUntil(
      (s) =>
        s('orms_dead_letters_total', { queue: 'customer-stats' }) === 1 &&
        s('orms_jobs_failed_total', { queue: 'customer-stats' }) === 1 &&
        s('orms_jobs_completed_total', { queue: 'emails' }) === 3,
      'the statistics sync to be dead-lettered and counted failed, and the email sent',
    );
    expect(m('orms_jobs_failed_total', { queue: 'customer-stats' })).toBe(1);
    expect(m(...runs('customer-stats', 'failed'))).toBe(1);
    expect(m('orms_jobs_retried_total', { queue: 'customer-stats' })).toBe(1); // the earlier one only: a 404 is not retried
    const letters = await t.queues['dead-letter'].getJobs(['waiting']);
    expect(letters.map((j) => j.data.queue)).toEqual(['customer-stats']);
  });

  it('reports how long the oldest job waiting in each work queue has waited, also in a queue no process works', async () => {
    // Refunds are not worked here: a job queued ten minutes ago waits there.
    await t.queues.refunds.add(
      'return.completed',
      {},
      { jobId: 'waiting-since-ten-minutes', timestamp: Date.now() - 600_000 },
    );

    const m = await scrape();

    expect(m('orms_queue_oldest_waiting_seconds', { queue: 'refunds' })).toBeGreaterThanOrEqual(600);
    expect(m('orms_queue_oldest_waiting_seconds', { queue: 'refunds' })).toBeLessThan(660);
    expect(m('orms_queue_oldest_waiting_seconds', { queue: 'emails' })).toBe(0); // every email was sent before
  });

  it('reports that MongoDB and Redis answer, as the readiness check sees them', async () => {
    const m = await scrape();

    expect(m('orms_dependency_up', { dependency: 'mongodb' })).toBe(1);
    expect(m('orms_dependency_up', { dependency: 'redis' })).toBe(1);
    expect(m('process_resident_memory_bytes', {})).toBeGreaterThan(0);
  });
});
