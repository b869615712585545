import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRedis } from '../src/infra/redis';
import { Order, OrderEvent } from '../src/models';
import { auditEffects } from './helpers/effects-audit';
import { readWholeFeed } from './helpers/feed-consumer';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server';
import { eventually, useTestApp } from './helpers/test-app';
import { startWebhookReceiver } from './helpers/webhook-receiver';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { WORK_QUEUE_NAMES } from '../src/shared/names';

/**
 * Redis loses its data after the events of committed changes were relayed (their outboxes
 * cleared, their jobs queued) and before any worker did their effects: a FLUSHALL, and a
 * restart with an empty data directory. The scheduled reconciliation finds each missing
 * effect by what it leaves behind and queues it again: every email, statistics call,
 * rollup and refund happens exactly once.
 */
jest.setTimeout(90_000);

let redis: OwnRedis;
beforeAll(async () => {
  redis = await startOwnRedis();
});
const t = useTestApp({ redis: () => createRedis('producer', redis.url), smtp: true, customers: true });
afterAll(() => redis?.stop());

const fleet: WorkerProcess[] = [];
const started: WorkerProcess[] = [];
t.onClose(() => Promise.all(fleet.map((p) => p.kill())));
// Every worker process's log, kept for reading a failure: var/redis-loss/<jest pid>/.
const LOG_DIR = path.join('var', 'redis-loss', String(process.pid));
afterAll(() => {
  mkdirSync(LOG_DIR, { recursive: true });
  started.forEach((p, i) => writeFileSync(path.join(LOG_DIR, `workers-${i + 1}.log`), p.output()));
});
/**
 * Worker processes that reconcile every 300 ms, and send a customer's statistics after 3 s
 * of quiet: the requeued events of a customer are worked through within that window even
 * on a busy machine, so they ask for one sync (a shorter debounce made two, legitimately).
 * They wait 10 s for the SMTP server's answer (2 s in other files): this file's server runs
 * in the test's own process, which a busy machine can keep from answering for that long,
 * and a send whose answer never came is sent again, legitimately (delivery-claims.ts).
 */
async function startWorkers(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const p = await startWorkerProcess({
    ...peersEnv(t, redis.url),
    RECONCILE_AFTER_MS: '0',
    RECONCILE_INTERVAL_MS: '300',
    CUSTOMER_STATS_DEBOUNCE_MS: '3000',
    EMAIL_TIMEOUT_MS: '10000',
    EMAIL_CLAIM_LOCK_MS: '40000',
    ...env,
  });
  fleet.push(p);
  started.push(p);
  return p;
}
const EFFECT_QUEUES = WORK_QUEUE_NAMES.filter((q) => q !== 'upkeep').join(',');

/** Orders of two customers placed, moved, cancelled, delivered and returned, with a refund. */
async function changeOrders(): Promise<void> {
  const placed = await t.as('alice').placeOrder();
  await t.as('alice').move(placed, 'Processing');
  await t.as('bob').cancel(await t.as('bob').placeOrder());
  const { returnId } = await t.as('alice').openReturn();
  await t.as('alice').review(returnId, 4975);
  // Relayed: the outboxes are empty, the jobs are in Redis only.
  await eventually(
    async () => (await Order.countDocuments({ outboxPending: true })) === 0,
    10_000,
    'the outboxes to be relayed',
  );
}

const queuedJobs = async () =>
  (await Promise.all(WORK_QUEUE_NAMES.map((q) => t.queues[q].count()))).reduce((a, b) => a + b, 0);
const callsSoFar = () => ({
  ...Object.fromEntries(['c-alice', 'c-bob'].map((c) => [c, t.customers.successes(c).length])),
});

/** Waits until the reconciliation has found every effect done, then audits them. */
async function effectsOnceAllSettled() {
  await eventually(
    async () => (await OrderEvent.countDocuments({ settled: false })) === 0,
    45_000,
    'every event to be settled',
  );
  return auditEffects(t);
}

describe('losing Redis loses no effect', () => {
  it('does every effect of jobs a FLUSHALL removed exactly once, when the workers start', async () => {
    await changeOrders();
    expect(await queuedJobs()).toBeGreaterThan(0);
    await t.redis.flushall();
    expect(await queuedJobs()).toBe(0);

    await startWorkers();

    const audit = await effectsOnceAllSettled();
    expect(audit.problems).toEqual([]);
    expect(audit.events).toBe(10);
    expect(audit.statisticsCalls).toEqual({ 'c-alice': 1, 'c-bob': 1 });
  });

  it('does them exactly once after Redis restarts with an empty data directory under a running fleet', async () => {
    await fleet.pop()!.kill();
    // The periodic work survives the restart only if the fleet sets its schedulers again.
    await startWorkers({ WORKERS: 'upkeep' });
    const before = callsSoFar();
    await changeOrders();

    await redis.stop();
    redis = await startOwnRedis([], redis.port);
    await startWorkers({ WORKERS: EFFECT_QUEUES });

    const audit = await effectsOnceAllSettled();
    expect(audit.problems).toEqual([]);
    expect(audit.events).toBe(20);
    const after = callsSoFar();
    expect({ 'c-alice': after['c-alice'] - before['c-alice'], 'c-bob': after['c-bob'] - before['c-bob'] }).toEqual({
      'c-alice': 1,
      'c-bob': 1,
    });
  });

  it('makes a webhook delivery whose retry a FLUSHALL removed, once it is due', async () => {
    await Promise.all(fleet.splice(0).map((p) => p.kill()));
    const receiver = await startWebhookReceiver();
    t.onClose(() => receiver.close());
    await t.as('admin').subscribe(receiver.url, ['order.created']);
    receiver.answerNext({ status: 500 });
    // The retry is due 3-3.6 s after the failure: time to lose it first.
    await startWorkers({ WEBHOOK_BACKOFF_MS: '3000' });
    const orderId = await t.as('alice').placeOrder();
    await eventually(
      async () => receiver.received.some((r) => r.body.data?.orderId === orderId),
      10_000,
      'the first attempt',
    );

    await Promise.all(fleet.splice(0).map((p) => p.kill()));
    await t.redis.flushall();
    await startWorkers({ WEBHOOK_BACKOFF_MS: '3000' });

    const accepted = await eventually(
      async () => receiver.accepted().find((r) => r.body.data?.orderId === orderId),
      30_000,
      'the delivery to be made',
    );
    const attempts = receiver.received.filter((r) => r.body.data?.orderId === orderId);
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    expect(accepted.headers['orms-event-id']).toBe(attempts[0].headers['orms-event-id']);
  });

  it('keeps the periodic work going when Redis loses its data under a running worker process: every effect of the orders before and after, once', async () => {
    await Promise.all(fleet.splice(0).map((p) => p.kill()));
    const receiver = await startWebhookReceiver();
    t.onClose(() => receiver.close());
    await t.as('admin').subscribe(receiver.url, ['order.created']);
    // The mail server and the receiver fail for now; nothing of these orders is done.
    t.smtp.gate(() => Promise.resolve({ code: 451, message: 'try again later' }));
    receiver.answerOtherwise({ status: 503 });
    const deadLettersSoFar = await t.queues['dead-letter'].count();
    // The schedulers are looked at every 500 ms; webhook deliveries keep retrying for a while.
    const worker = await startWorkers({
      SCHEDULER_CHECK_INTERVAL_MS: '500',
      WEBHOOK_MAX_ATTEMPTS: '20',
      WEBHOOK_BACKOFF_MS: '1000',
    });
    const placeTen = async () => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(await t.as(i % 2 ? 'bob' : 'alice').placeOrder());
      return ids;
    };
    const first = await placeTen();
    // Each email was refused until its job gave up (this file's 3 attempts) and was
    // dead-lettered; each webhook was refused at least once and waits for its retry.
    await eventually(
      async () =>
        (await t.queues['dead-letter'].count()) >= deadLettersSoFar + 10 &&
        first.every((id) => receiver.received.some((r) => r.body.data?.orderId === id)),
      20_000,
      'each email and webhook of the first orders to be tried',
    );

    // Redis stays up and the connections stay open: nobody is told.
    await t.redis.flushall();
    t.smtp.acceptAll();
    receiver.answerOtherwise({ status: 200 });
    const second = await placeTen();

    const everyOrder = [...first, ...second];
    const webhooksOf = (id: string) => receiver.accepted().filter((r) => r.body.data?.orderId === id).length;
    const feedEntriesOf = (feed: { orderId: string; type: string }[], id: string) =>
      feed.filter((e) => e.orderId === id && e.type === 'order.created').length;
    await eventually(
      async () => {
        if (!everyOrder.every((id) => webhooksOf(id) >= 1)) return false;
        if ((await OrderEvent.countDocuments({ settled: false })) > 0) return false;
        const feed = await readWholeFeed(t.app);
        return everyOrder.every((id) => feedEntriesOf(feed, id) >= 1);
      },
      90_000,
      'every effect and feed entry of the orders placed before and after the FLUSHALL',
    );

    const audit = await auditEffects(t);
    expect(audit.problems).toEqual([]);
    const feed = await readWholeFeed(t.app);
    expect(everyOrder.filter((id) => webhooksOf(id) !== 1 || feedEntriesOf(feed, id) !== 1)).toEqual([]);
    expect({ exitCode: worker.child.exitCode, signal: worker.child.signalCode }).toEqual({
      exitCode: null,
      signal: null,
    });
  }, 150_000);
});
