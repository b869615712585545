import request from 'supertest';
import { Order, ReturnRequest } from '../src/models';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { peersEnv, startWorkerProcess } from './helpers/worker-process';

/**
 * Work left too long, found by the scheduled check: a worker process runs `attention-check`
 * every second (ATTENTION_CHECK_CRON with seconds) with the default SLAs (48 h to ship, 72 h
 * to review a return); the orders and returns are made old by moving their dates back.
 */
const t = useTestApp({ smtp: true });
const HOUR = 3600_000;

const ageOrder = (orderId: string, hours: number) =>
  Order.updateOne({ orderId }, { $set: { orderDate: new Date(Date.now() - hours * HOUR) } });
const ageReturn = (returnId: string, hours: number) =>
  ReturnRequest.updateOne({ returnId }, { $set: { requestedAt: new Date(Date.now() - hours * HOUR) } });
const digests = () => t.smtp.received.filter((m) => m.subject.startsWith('Overdue:'));
const gauge = async (kind: string): Promise<number | null> => {
  const text = (await request(t.app).get('/metrics')).text;
  const m = new RegExp(`^orms_overdue\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

describe('overdue work', () => {
  it('finds the orders not shipped in 48 h and the returns not reviewed in 72 h, oldest first; the gauge shows them; the digest goes out once a day', async () => {
    const oldPlaced = await t.as('alice').placeOrder();
    const olderProcessing = await t.as('bob').placeOrder();
    await t.as('admin').move(olderProcessing, 'Processing');
    const fresh = await t.as('alice').placeOrder();
    const oldButShipped = await t.as('alice').placeOrder();
    await t.as('admin').move(oldButShipped, 'Processing', 'Shipped');
    const oldReturn = await t.as('alice').openReturn();
    const freshReturn = await t.as('bob').openReturn();
    await ageOrder(oldPlaced, 50);
    await ageOrder(olderProcessing, 60);
    await ageOrder(oldButShipped, 100);
    await ageReturn(oldReturn.returnId, 80);

    const worker = await startWorkerProcess({
      ...peersEnv(t),
      WORKERS: 'upkeep',
      ATTENTION_CHECK_CRON: '* * * * * *',
      OPS_EMAIL: 'ops@example.com',
    });
    t.onClose(() => worker.kill());

    expect(
      await eventually(async () => ((await gauge('orders')) === 2 ? 2 : null), 15_000, 'the gauge to count two orders'),
    ).toBe(2);
    expect(await gauge('returns')).toBe(1);
    const res = await request(t.app).get('/api/orders/attention').set(as('admin'));
    expect(res.status).toBe(200);
    expect(res.body.data.counts).toEqual({ orders: 2, returns: 1 });
    expect(res.body.data.overdueOrders.map((o: { orderId: string }) => o.orderId)).toEqual([
      olderProcessing,
      oldPlaced,
    ]);
    expect(res.body.data.overdueOrders[0]).toMatchObject({ status: 'Processing', waitingHours: expect.any(Number) });
    expect(res.body.data.overdueOrders[0].waitingHours).toBeGreaterThanOrEqual(60);
    expect(res.body.data.overdueReturns).toEqual([
      expect.objectContaining({
        returnId: oldReturn.returnId,
        orderId: oldReturn.orderId,
        waitingHours: expect.any(Number),
      }),
    ]);
    const listed = JSON.stringify(res.body.data);
    for (const notOverdue of [fresh, oldButShipped, freshReturn.returnId]) expect(listed).not.toContain(notOverdue);

    const [digest] = await eventually(async () => (digests().length ? digests() : null), 10_000, 'the digest');
    expect(digest.to).toContain('ops@example.com');
    expect(digest.text).toContain(oldPlaced);
    expect(digest.text).toContain(oldReturn.returnId);
    // Later checks of the same day find the same work and send nothing more.
    const checksSoFar = worker.output().split('"task":"attention-check"').length;
    await eventually(
      async () => worker.output().split('"task":"attention-check"').length >= checksSoFar + 3,
      15_000,
      'three more checks',
    );
    expect(digests()).toHaveLength(1);
  }, 60_000);

  it('pages each list, oldest first, and refuses a bad page or limit in the envelope', async () => {
    // Older than anything another test leaves behind, so they lead the list whatever ran before.
    const oldest = await t.as('alice').placeOrder();
    const secondOldest = await t.as('bob').placeOrder();
    await ageOrder(oldest, 210);
    await ageOrder(secondOldest, 200);

    const first = await request(t.app).get('/api/orders/attention?page=1&limit=1').set(as('admin'));
    const second = await request(t.app).get('/api/orders/attention?page=2&limit=1').set(as('admin'));
    const bad = await request(t.app).get('/api/orders/attention?limit=0').set(as('admin'));

    expect(first.body.data.overdueOrders.map((o: { orderId: string }) => o.orderId)).toEqual([oldest]);
    expect(second.body.data.overdueOrders.map((o: { orderId: string }) => o.orderId)).toEqual([secondOldest]);
    const { orders } = second.body.data.pagination;
    expect(orders).toMatchObject({ currentPage: 2, itemsPerPage: 1, totalPages: orders.totalItems });
    expect(orders.totalItems).toBeGreaterThanOrEqual(2);
    expect(second.body.data.pagination.returns).toMatchObject({ currentPage: 2, itemsPerPage: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('limit');
  });
});
