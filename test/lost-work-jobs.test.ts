import request from 'supertest';
import { BulkOperation, OrderExport, OrderHistory } from '../src/models';
import { createBulkStatusChange } from '../src/services/bulk/bulk-status';
import { createExport } from '../src/services/exports/order-exports';
import { MAX_REQUEUES } from '../src/services/work-recovery';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

/**
 * A bulk change or an export waits on a job of its own id. When that job is gone (Redis lost
 * it, the enqueue failed after the record was written, BullMQ failed it as stalled after its
 * worker died), the scheduled reconciliation queues it again under the same id, or marks it
 * failed with the reason: no record says queued or running for good.
 */
jest.setTimeout(120_000);

// No workers in this process: the jobs are worked, and reconciled, by real worker processes.
const t = useTestApp();
const fleet: WorkerProcess[] = [];
t.onClose(() => Promise.all(fleet.map((p) => p.kill())));

const admin = () => as('admin');
const requester = { userId: 'admin-1', role: 'Administrator' } as const;
/** Worker processes that reconcile every 300 ms anything older than 0 ms, over a window of an hour. */
async function startWorkers(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const p = await startWorkerProcess({
    ...peersEnv(t),
    WORKERS: 'bulk,exports,upkeep',
    RECONCILE_AFTER_MS: '0',
    RECONCILE_INTERVAL_MS: '300',
    RECONCILE_WINDOW_HOURS: '1',
    ...env,
  });
  fleet.push(p);
  return p;
}
const stopWorkers = () => Promise.all(fleet.splice(0).map((p) => p.kill()));

/** The record through the API once its state is one of `states`. */
const once = (kind: 'bulk' | 'exports', id: string, states: string[], timeoutMs = 30_000) =>
  eventually(
    async () => {
      const res = await request(t.app).get(`/api/orders/${kind}/${id}`).set(admin());
      return states.includes(res.body.data?.state) ? res.body.data : null;
    },
    timeoutMs,
    `${kind} ${id} to be ${states.join(' or ')}`,
  );

describe('bulk changes and exports whose job is gone', () => {
  it('are queued again under their own id and completed by a worker process: a bulk change whose enqueue failed, an export whose job Redis lost', async () => {
    const [a, b, c] = await Promise.all([
      t.as('alice').placeOrder(),
      t.as('bob').placeOrder(),
      t.as('alice').placeOrder(),
    ]);
    await t.as('alice').cancel(c);
    // The record was written, then the enqueue failed: no job was ever added.
    const bulk = await createBulkStatusChange(requester, {
      orderIds: [a, b],
      status: 'Processing',
      notes: 'Recovered in bulk',
    });
    // Queued through the API, then lost from Redis.
    const queued = await request(t.app)
      .post('/api/orders/exports')
      .set(admin())
      .send({ format: 'csv', status: 'Cancelled' });
    const exportId: string = queued.body.data.exportId;
    await t.queues.exports.remove(exportId);
    expect(await t.queues.exports.getJobState(exportId)).toBe('unknown');

    await startWorkers();

    const [bulkDone, exportDone] = await Promise.all([
      once('bulk', bulk._id, ['completed', 'failed']),
      once('exports', exportId, ['completed', 'failed']),
    ]);
    expect(bulkDone).toMatchObject({ state: 'completed', error: null });
    expect(bulkDone.results).toEqual([
      { orderId: a, outcome: 'updated', message: 'Placed → Processing' },
      { orderId: b, outcome: 'updated', message: 'Placed → Processing' },
    ]);
    expect(exportDone).toMatchObject({ state: 'completed', rowCount: 1 });
    const csv = await request(t.app).get(`/api/orders/exports/${exportId}/download`).set(admin()).buffer(true);
    expect(csv.text).toContain(c);
    // Under their own ids, queued again once each.
    expect(await t.queues.bulk.getJobState(bulk._id)).toBe('completed');
    expect(await t.queues.exports.getJobState(exportId)).toBe('completed');
    expect((await BulkOperation.findById(bulk._id).lean())?.requeues).toBe(1);
    expect((await OrderExport.findById(exportId).lean())?.requeues).toBe(1);
  });

  it(`end failed, with the reason, when lost again after ${MAX_REQUEUES} requeues or asked for before the window; the orders stay as they were`, async () => {
    // Arranged with no reconciliation running, which would queue them again halfway.
    await stopWorkers();
    const order = await t.as('alice').placeOrder();
    const spent = await createBulkStatusChange(requester, { orderIds: [order], status: 'Processing' });
    await BulkOperation.updateOne({ _id: spent._id }, { $set: { state: 'running', requeues: MAX_REQUEUES } });
    const old = await createBulkStatusChange(requester, { orderIds: [order], status: 'Cancelled' });
    await BulkOperation.updateOne({ _id: old._id }, { $set: { createdAt: new Date(Date.now() - 2 * 3_600_000) } });
    const spentExport = await createExport(requester, { format: 'csv' }, t.services.settings);
    await OrderExport.updateOne({ _id: spentExport._id }, { $set: { requeues: MAX_REQUEUES } });

    await startWorkers();

    const [spentDone, oldDone, exportDone] = await Promise.all([
      once('bulk', spent._id, ['completed', 'failed']),
      once('bulk', old._id, ['completed', 'failed']),
      once('exports', spentExport._id, ['completed', 'failed']),
    ]);
    expect(spentDone).toMatchObject({
      state: 'failed',
      error: `its job was lost from the queue, after ${MAX_REQUEUES} times queued again`,
      results: [],
    });
    expect(oldDone).toMatchObject({ state: 'failed', error: expect.stringContaining('too long ago'), results: [] });
    expect(exportDone).toMatchObject({
      state: 'failed',
      error: `its job was lost from the queue, after ${MAX_REQUEUES} times queued again`,
    });
    expect(await OrderHistory.countDocuments({ orderIdString: order })).toBe(1);
  });

  it('is queued again and resumed when its worker died mid-run and BullMQ failed the job as stalled: every order changed and reported once', async () => {
    await stopWorkers();
    const orders: string[] = [];
    for (let i = 0; i < 3; i++)
      orders.push(...(await Promise.all(Array.from({ length: 10 }, () => t.as(i % 2 ? 'bob' : 'alice').placeOrder()))));
    // A worker that holds its job's lock for a second at a time, killed once the run is under way.
    const dying = await startWorkerProcess({ ...peersEnv(t), WORKERS: 'bulk', WORKER_LOCK_DURATION_MS: '1000' });
    fleet.push(dying);
    const queued = await request(t.app)
      .post('/api/orders/bulk/status')
      .set(admin())
      .send({ orderIds: orders, status: 'Processing', notes: 'Resumed after a stall' });
    const bulkId: string = queued.body.data.bulkId;
    await eventually(
      async () => ((await BulkOperation.findById(bulkId, { results: 1 }).lean())?.results.length ?? 0) > 0,
      30_000,
      'the run to be under way',
    );
    await dying.kill();
    const left = await BulkOperation.findById(bulkId).lean();
    expect(left?.state).toBe('running');
    expect(left?.results.length).toBeLessThan(orders.length);

    // Its successor fails a job the first time it stalls.
    await startWorkers({ WORKERS: 'bulk,upkeep', WORKER_MAX_STALLED_COUNT: '0', WORKER_STALLED_INTERVAL_MS: '500' });

    const done = await once('bulk', bulkId, ['completed', 'failed'], 90_000);
    expect(done.state).toBe('completed');
    expect(done.results.map((r: { orderId: string }) => r.orderId)).toEqual(orders);
    expect(done.results.filter((r: { outcome: string }) => r.outcome !== 'updated')).toEqual([]);
    const rows = await OrderHistory.find({ notes: 'Resumed after a stall' }, { orderIdString: 1 }).lean();
    expect(rows.map((r) => r.orderIdString).sort()).toEqual([...orders].sort());
    expect((await BulkOperation.findById(bulkId).lean())?.requeues).toBe(1);
  });
});
