import type { Job } from 'bullmq';
import { IdempotencyRecord, Order, OrderHistory, OrderItem } from '../src/models';
import type { OrderDoc } from '../src/services/order-state';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { startWorkerProcess } from './helpers/worker-process';
import { guideOrderBody } from './helpers/fixtures';
import { eventually, useTestApp } from './helpers/test-app';
import { as, users } from './helpers/tokens';

/**
 * The API process is SIGKILLed right after an order is committed and before its outbox is
 * relayed (TEST_CRASH_AFTER_ORDER_WRITE). The restarted process must deliver every side
 * effect of that order exactly once, and an idempotent retry must find the order.
 */
// Each test starts real processes; on two shared cores that can take several seconds.
jest.setTimeout(60_000);

const t = useTestApp();
const children: { kill(): Promise<void> }[] = [];
t.onClose(() => Promise.all(children.map((c) => c.kill())));

const start = async (env: Record<string, string>) => {
  const child = await startApiProcess({ AUTH_SERVICE_URL: t.auth.url, ...env });
  children.push(child);
  return child;
};
/** An API process that dies right after its next order write. */
const startCrashing = () => start({ TEST_CRASH_AFTER_ORDER_WRITE: 'true' });
/** A healthy API process, and the worker process whose upkeep picks up leftovers quickly. */
async function startHealthy(): Promise<ApiProcess> {
  children.push(
    await startWorkerProcess({ WORKERS: 'upkeep', OUTBOX_SWEEP_AGE_MS: '100', OUTBOX_SWEEP_INTERVAL_MS: '200' }),
  );
  return start({});
}

const postOrder = (api: ApiProcess, user: 'alice' | 'bob', headers: Record<string, string> = {}) =>
  fetch(`${api.url}/api/orders`, {
    method: 'POST',
    headers: { ...as(user), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(guideOrderBody()),
  });

const WORK_QUEUES = ['emails', 'customer-stats', 'analytics'] as const;
const jobsOfOrder = async (queue: (typeof WORK_QUEUES)[number], orderId: string) =>
  ((await t.queues[queue].getJobs()) as Job[]).filter((j) => j.data?.orderId === orderId);

describe('an API process killed right after an order write, before its relay', () => {
  let crashed: OrderDoc;
  let healthy: ApiProcess;

  it('dies by SIGKILL while the request is in flight, leaving the order committed with its event in the outbox', async () => {
    const api = await startCrashing();

    const outcome = await postOrder(api, 'alice').then(
      (res) => `answered ${res.status}`,
      () => 'failed',
    );

    expect(outcome).toBe('failed');
    expect(await api.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const orders = await Order.find({ userId: users.alice._id }).lean<OrderDoc[]>();
    expect(orders).toHaveLength(1);
    crashed = orders[0];
    expect(crashed.status).toBe('Placed');
    expect(crashed.outbox).toHaveLength(1);
    expect(crashed.outboxPending).toBe(true);
    expect(crashed.outbox[0]).toMatchObject({ type: 'order.created', change: { newStatus: 'Placed' } });
    expect(await OrderItem.countDocuments({ orderId: crashed._id })).toBe(2);
    expect(await OrderHistory.countDocuments({ orderId: crashed._id })).toBe(0);
    for (const q of WORK_QUEUES) expect(await t.queues[q].getJob(crashed.outbox[0].eventId)).toBeUndefined();
  });

  it('is made good by the fleet once it runs again: the outbox empties, with one Placed history row and one job per queue', async () => {
    const eventId = crashed.outbox[0].eventId;

    healthy = await startHealthy();
    await eventually(
      async () => (await Order.findById(crashed._id, { outbox: 1 }).lean())?.outbox.length === 0,
      15_000,
      `the outbox of ${crashed.orderId} to be relayed\n${healthy.output()}`,
    );

    expect((await Order.findById(crashed._id, { outboxPending: 1 }).lean())?.outboxPending).toBe(false);
    const history = await OrderHistory.find({ orderId: crashed._id }).lean();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      eventId,
      newStatus: 'Placed',
      previousStatus: null,
      changedBy: users.alice._id,
    });
    for (const q of WORK_QUEUES) {
      const job = await t.queues[q].getJob(eventId);
      expect(job?.name).toBe('order.created');
      expect(job?.data).toMatchObject({ eventId, orderId: crashed.orderId, newStatus: 'Placed' });
      expect(await jobsOfOrder(q, crashed.orderId)).toHaveLength(1);
    }
  });

  it('lets a retry with the same Idempotency-Key replay the committed order instead of placing a second one', async () => {
    const key = 'crash-retry-key-0001';
    const api = await startCrashing();
    const lost = await postOrder(api, 'bob', { 'Idempotency-Key': key }).then(
      () => 'answered',
      () => 'failed',
    );
    expect(lost).toBe('failed');
    expect((await api.exited).signal).toBe('SIGKILL');
    const recordId = `create-order:${users.bob._id}:${key}`;
    const record = await IdempotencyRecord.findById(recordId).lean();
    expect(record).toMatchObject({ state: 'pending' });
    expect(record!.lockedUntil.getTime()).toBeGreaterThan(Date.now());
    // The dead process's lock would hold for LOCK_MS; let it have run out already.
    await IdempotencyRecord.updateOne({ _id: recordId }, { $set: { lockedUntil: new Date(Date.now() - 1000) } });
    const committed = await Order.findOne({ userId: users.bob._id }).lean<OrderDoc>();
    expect(committed).not.toBeNull();

    const res = await postOrder(healthy, 'bob', { 'Idempotency-Key': key });

    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    const body = (await res.json()) as { data: { orderId: string; items: unknown[]; totalAmount: number } };
    expect(body.data.orderId).toBe(committed!.orderId);
    expect(body.data.items).toHaveLength(2);
    expect(body.data.totalAmount).toBe(5520);
    expect(await Order.countDocuments({ userId: users.bob._id })).toBe(1);
    expect(await IdempotencyRecord.findById(recordId).lean()).toMatchObject({ state: 'done' });
    await eventually(
      async () => (await Order.findById(committed!._id, { outbox: 1 }).lean())?.outbox.length === 0,
      10_000,
      'the retried order to be relayed',
    );
    expect(await OrderHistory.countDocuments({ orderId: committed!._id })).toBe(1);
    for (const q of WORK_QUEUES) expect(await jobsOfOrder(q, committed!.orderId)).toHaveLength(1);
  });
});
