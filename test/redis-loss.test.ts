import { createRedis } from '../src/infra/redis';
import { Order, OrderEvent } from '../src/models';
import { WORK_QUEUE_NAMES } from '../src/queues/names';
import { auditEffects } from './helpers/effects-audit';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server';
import { eventually, useTestApp } from './helpers/test-app';
import { startWebhookReceiver } from './helpers/webhook-receiver';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

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
t.onClose(() => Promise.all(fleet.map((p) => p.kill())));
/**
 * Worker processes that reconcile every 300 ms, and send a customer's statistics after 3 s
 * of quiet: the requeued events of a customer are worked through within that window even
 * on a busy machine, so they ask for one sync (a shorter debounce made two, legitimately).
 */
async function startWorkers(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const p = await startWorkerProcess({ ...peersEnv(t, redis.url), RECONCILE_AFTER_MS: '0', RECONCILE_INTERVAL_MS: '300', CUSTOMER_STATS_DEBOUNCE_MS: '3000', ...env });
  fleet.push(p);
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
  await eventually(async () => (await Order.countDocuments({ outboxPending: true })) === 0, 10_000, 'the outboxes to be relayed');
}

const queuedJobs = async () => (await Promise.all(WORK_QUEUE_NAMES.map((q) => t.queues[q].count()))).reduce((a, b) => a + b, 0);
const callsSoFar = () => ({ ...Object.fromEntries(['c-alice', 'c-bob'].map((c) => [c, t.customers.successes(c).length])) });

/** Waits until the reconciliation has found every effect done, then audits them. */
async function effectsOnceAllSettled() {
  await eventually(async () => (await OrderEvent.countDocuments({ settled: false })) === 0, 45_000, 'every event to be settled');
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
    expect({ 'c-alice': after['c-alice'] - before['c-alice'], 'c-bob': after['c-bob'] - before['c-bob'] }).toEqual({ 'c-alice': 1, 'c-bob': 1 });
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
    await eventually(async () => receiver.received.some((r) => r.body.data?.orderId === orderId), 10_000, 'the first attempt');

    await Promise.all(fleet.splice(0).map((p) => p.kill()));
    await t.redis.flushall();
    await startWorkers({ WEBHOOK_BACKOFF_MS: '3000' });

    const accepted = await eventually(async () => receiver.accepted().find((r) => r.body.data?.orderId === orderId), 30_000, 'the delivery to be made');
    const attempts = receiver.received.filter((r) => r.body.data?.orderId === orderId);
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    expect(accepted.headers['orms-event-id']).toBe(attempts[0].headers['orms-event-id']);
  });
});
