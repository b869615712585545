import request from 'supertest';
import { BulkOperation, Order, OrderHistory } from '../src/models';
import { OrderLock } from '../src/models/order-lock';
import { queueBulkStatusChange } from '../src/queues/bulk-jobs';
import { changeOneOrder, createBulkStatusChange } from '../src/services/bulk/bulk-status';
import { auditEffects } from './helpers/effects-audit';
import { drainedWhileProgressing } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { as, type TestUser } from './helpers/tokens';

const t = useTestApp({
  workers: ['bulk', 'emails', 'customer-stats', 'analytics', 'webhooks'],
  smtp: true,
  customers: true,
});

const admin = () => as('admin');
const bulkOf = (bulkId: string) => request(t.app).get(`/api/orders/bulk/${bulkId}`).set(admin());
const finished = (bulkId: string) =>
  eventually(
    async () => {
      const res = await bulkOf(bulkId);
      return res.body.data.state === 'completed' || res.body.data.state === 'failed' ? res.body.data : null;
    },
    120_000,
    `bulk ${bulkId} to finish`,
  );

async function placeOrders(n: number): Promise<{ orderId: string; owner: TestUser }[]> {
  const placed: { orderId: string; owner: TestUser }[] = [];
  for (let i = 0; i < n; i += 10) {
    const owners: TestUser[] = Array.from({ length: Math.min(10, n - i) }, (_, j) => ((i + j) % 2 ? 'bob' : 'alice'));
    placed.push(
      ...(await Promise.all(owners.map(async (owner) => ({ orderId: await t.as(owner).placeOrder(), owner })))),
    );
  }
  return placed;
}

describe('bulk status changes', () => {
  it('moves 200 orders, some changed by others before or during the run, reporting each outcome once; every change has its history row, email and statistics', async () => {
    const orders = await placeOrders(200);
    const ids = orders.map((o) => o.orderId);
    const cancelledBefore = orders.slice(0, 5);
    for (const o of cancelledBefore) await t.as(o.owner).cancel(o.orderId);
    const missing = 'ORD-2026-999999';

    const queued = await request(t.app)
      .post('/api/orders/bulk/status')
      .set(admin())
      .send({ orderIds: [...ids, ids[7], missing], status: 'Processing', notes: 'Picked in bulk' });
    // Customers cancel the last 20 while the run goes on: each either before or after its change.
    const midRun = await Promise.all(
      orders
        .slice(-20)
        .map((o) =>
          request(t.app)
            .post(`/api/orders/${o.orderId}/cancel`)
            .set(as(o.owner))
            .send({ reason: 'Changed my mind about it' }),
        ),
    );

    expect(queued.status).toBe(202);
    const op = await finished(queued.body.data.bulkId);
    expect(op).toMatchObject({ state: 'completed', status: 'Processing', progress: { done: 201, total: 201 } });
    const byOrder = new Map(op.results.map((r: { orderId: string }) => [r.orderId, r]));
    expect(op.results.length).toBe(201); // the repeated id once
    expect(byOrder.get(missing)).toMatchObject({ outcome: 'not_found' });
    for (const o of cancelledBefore)
      expect(byOrder.get(o.orderId)).toMatchObject({
        outcome: 'invalid_transition',
        message: expect.stringContaining("'Cancelled'"),
      });
    for (const r of op.results as { orderId: string; outcome: string }[])
      expect(['updated', 'not_found', 'invalid_transition', 'conflict']).toContain(r.outcome);
    const updated = op.results
      .filter((r: { outcome: string }) => r.outcome === 'updated')
      .map((r: { orderId: string }) => r.orderId);
    expect(updated.length).toBeGreaterThanOrEqual(175);
    expect(midRun.every((res) => res.status === 200 || res.status === 409)).toBe(true);

    await drainedWhileProgressing(t, 30_000, 'bulk');
    const rows = await OrderHistory.find(
      { newStatus: 'Processing', notes: 'Picked in bulk' },
      { orderIdString: 1 },
    ).lean();
    expect(rows.map((r) => r.orderIdString).sort()).toEqual([...updated].sort());
    // Compared as order ids: a failed comparison of whole messages would print megabytes.
    const mailed = t.smtp.received
      .map((m) => / (\S+) is now Processing$/.exec(m.subject)?.[1])
      .filter((id): id is string => Boolean(id));
    expect(mailed.sort()).toEqual([...updated].sort());
    expect((await auditEffects(t)).problems).toEqual([]);
  }, 240_000);

  it('resumes after a crash honestly: orders the dead run changed are reported updated, one someone else moved to the status meanwhile is not, and none is changed twice', async () => {
    const [a, b, c, d] = await Promise.all([
      t.as('alice').placeOrder(),
      t.as('bob').placeOrder(),
      t.as('alice').placeOrder(),
      t.as('bob').placeOrder(),
    ]);
    const requester = { userId: 'admin-1', role: 'Administrator' } as const;
    const op = await createBulkStatusChange(requester, {
      orderIds: [a, b, c, d],
      status: 'Processing',
      notes: 'Resumed in bulk',
    });
    // The run that died had started; it changed `a` (relayed) and `d` (the process died
    // before its relay: the event is still in the order's outbox), writing neither outcome.
    await BulkOperation.updateOne({ _id: op._id }, { $set: { state: 'running' } });
    await changeOneOrder(t.services, requester, op, a);
    await changeOneOrder({ ...t.services, relay: async () => undefined }, requester, op, d);
    // Meanwhile the desk moved `b` to Processing by hand.
    await t.as('admin').move(b, 'Processing');

    await queueBulkStatusChange(t.queues, op._id, requester);

    const done = await finished(op._id);
    expect(done.results).toEqual([
      { orderId: a, outcome: 'updated', message: 'Placed → Processing' },
      {
        orderId: b,
        outcome: 'invalid_transition',
        message: expect.stringContaining("from 'Processing' to 'Processing'"),
      },
      { orderId: c, outcome: 'updated', message: 'Placed → Processing' },
      { orderId: d, outcome: 'updated', message: 'Placed → Processing' },
    ]);
    await t.outbox.sweep(0);
    const rows = await OrderHistory.find({ newStatus: 'Processing' }, { orderIdString: 1, notes: 1 }).lean();
    const changes = (orderId: string) => rows.filter((r) => r.orderIdString === orderId).map((r) => r.notes);
    expect([a, b, c, d].map(changes)).toEqual([['Resumed in bulk'], [null], ['Resumed in bulk'], ['Resumed in bulk']]);
  });

  it('reports conflict for an order another writer holds throughout the run and then cancels, and changes it not', async () => {
    const [held, free] = await Promise.all([t.as('alice').placeOrder(), t.as('bob').placeOrder()]);
    const order = await Order.findOne({ orderId: held }, { _id: 1 }).lean();
    if (!order) throw new Error(`order ${held} is missing`);
    // Another writer's change of `held` is under way: it holds the order's lease past the bulk's wait.
    await OrderLock.create({ _id: order._id, token: 'another-writer', until: new Date(Date.now() + 60_000) });

    const queued = await request(t.app)
      .post('/api/orders/bulk/status')
      .set(admin())
      .send({ orderIds: [held, free], status: 'Processing' });
    const done = await finished(queued.body.data.bulkId);
    // The other writer completes its change: the customer's cancellation, which Processing cannot follow.
    await OrderLock.deleteOne({ _id: order._id, token: 'another-writer' });
    await t.as('alice').cancel(held);

    expect(done.results).toEqual([
      { orderId: held, outcome: 'conflict', message: expect.stringContaining('another request') },
      { orderId: free, outcome: 'updated', message: 'Placed → Processing' },
    ]);
    expect((await Order.findOne({ orderId: held }, { status: 1 }).lean())?.status).toBe('Cancelled');
    expect(await OrderHistory.countDocuments({ orderIdString: held, newStatus: 'Processing' })).toBe(0);
  });

  it('refuses an empty or oversized list, a bad id or status, in the envelope; an unknown bulk is 404', async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => `ORD-2026-${String(i).padStart(6, '0')}`);
    for (const body of [
      { orderIds: [], status: 'Processing' },
      { orderIds: tooMany, status: 'Processing' },
      { orderIds: ['nope'], status: 'Processing' },
      { orderIds: ['ORD-2026-000001'], status: 'Lost' },
    ]) {
      const res = await request(t.app).post('/api/orders/bulk/status').set(admin()).send(body);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    }
    expect((await bulkOf('blk_000000000000000000000000')).status).toBe(404);
  });
});
