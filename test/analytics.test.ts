import { spawn } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { AnalyticsDaily, Order, OrderItem, ReturnRequest } from '../src/models';
import { drained, settled } from './helpers/pipeline';
import { recomputeAnalytics } from './helpers/analytics-recompute';
import { useTestApp } from './helpers/test-app';
import { as, type TestUser } from './helpers/tokens';

const t = useTestApp({ workers: ['analytics'] });

/** A small deterministic PRNG (mulberry32), so a failing mix can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = [
  { productId: 'P-1', productName: 'Kettle', unitPrice: 1299.5 },
  { productId: 'P-2', productName: 'Toaster', unitPrice: 2450 },
  { productId: 'P.3', productName: 'Mug', unitPrice: 199.99 },
  { productId: 'P-4', productName: 'Teapot', unitPrice: 875.25 },
  { productId: '$P-5', productName: 'Spoon', unitPrice: 49 },
];

const round2 = (x: number) => Math.round(x * 100) / 100;

const analytics = (query = '', who: TestUser = 'admin') =>
  request(t.app).get(`/api/orders/analytics${query}`).set(as(who));

/** Random operations through the API, one after another, tracking what each order is in. */
async function randomMix(seed: number, operations: number): Promise<Record<string, number>> {
  const next = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const done: Record<string, number> = {};
  const count = (k: string) => (done[k] = (done[k] ?? 0) + 1);
  const orders = new Map<string, { owner: TestUser; status: string; approved: boolean }>();
  const pendingReturns = new Map<string, string>(); // returnId → orderId
  const inStatus = (...statuses: string[]) =>
    [...orders].filter(([, o]) => statuses.includes(o.status)).map(([id]) => id);
  const ADVANCE: Record<string, string> = { Placed: 'Processing', Processing: 'Shipped', Shipped: 'Delivered' };
  for (let n = 0; n < operations; n++) {
    const roll = next();
    const approved = [...orders].filter(([, o]) => o.status === 'Return Requested' && o.approved).map(([id]) => id);
    if (roll < 0.3 || orders.size < 5) {
      const owner: TestUser = next() < 0.5 ? 'alice' : 'bob';
      const lines = [...new Set([pick(PRODUCTS), pick(PRODUCTS)])].map((p) => ({
        ...p,
        quantity: 1 + Math.floor(next() * 3),
        tax: round2(p.unitPrice * 0.1),
      }));
      const orderId = await t.as(owner).placeOrder({
        deliveryAddress: {
          recipientName: 'R',
          street: 'S 1',
          city: 'C',
          state: 'ST',
          zipCode: '560001',
          country: 'India',
          phone: '+919876543210',
        },
        items: lines,
      });
      orders.set(orderId, { owner, status: 'Placed', approved: false });
      count('create');
    } else if (roll < 0.4 && inStatus('Placed', 'Processing').length) {
      const orderId = pick(inStatus('Placed', 'Processing'));
      const o = orders.get(orderId)!;
      await request(t.app)
        .post(`/api/orders/${orderId}/cancel`)
        .set(as(o.owner))
        .send({ reason: 'Changed my mind about it' })
        .expect(200);
      o.status = 'Cancelled';
      count('cancel');
    } else if (roll < 0.7 && inStatus('Placed', 'Processing', 'Shipped').length) {
      const orderId = pick(inStatus('Placed', 'Processing', 'Shipped'));
      const o = orders.get(orderId)!;
      await t.as('admin').move(orderId, ADVANCE[o.status]);
      o.status = ADVANCE[o.status];
      count('status');
    } else if (roll < 0.8 && inStatus('Delivered').length) {
      const orderId = pick(inStatus('Delivered'));
      const o = orders.get(orderId)!;
      pendingReturns.set(await t.as(o.owner).requestReturn(orderId, undefined, 1), orderId);
      o.status = 'Return Requested';
      count('return');
    } else if (roll < 0.92 && pendingReturns.size) {
      const [returnId, orderId] = pick([...pendingReturns]);
      const [item] = await OrderItem.find({ orderIdString: orderId }).sort({ _id: 1 }).lean();
      const refund = next() < 0.7 ? round2(((item.finalPrice / item.quantity) * (0.5 + next() / 2)) / 100) : 0;
      await t.as('admin').review(returnId, refund > 0 ? refund : null);
      pendingReturns.delete(returnId);
      const o = orders.get(orderId)!;
      if (refund > 0) o.approved = true;
      else o.status = 'Delivered';
      count(refund > 0 ? 'approve' : 'reject');
    } else if (approved.length) {
      const orderId = pick(approved);
      await t.as('admin').move(orderId, 'Returned');
      orders.get(orderId)!.status = 'Returned';
      count('complete');
    } else {
      count('noop');
    }
  }
  return done;
}

describe('order analytics', () => {
  it('equals a recomputation from the orders after a random mix of 200 creates, cancels, status changes and returns', async () => {
    const done = await randomMix(20260125, 200);
    await drained(t.queues.analytics, 20_000);

    const res = await analytics();

    expect(res.status).toBe(200);
    expect(done.create).toBeGreaterThan(40);
    expect(done.cancel && done.status && done.return && done.approve && done.complete).toBeTruthy();
    expect(res.body.data).toEqual({ period: { from: null, to: null }, ...(await recomputeAnalytics()) });
  }, 120_000);

  it('counts an event once when its job runs a second time', async () => {
    const before = (await analytics()).body.data;
    const [job] = await t.queues.analytics.getJobs(['completed'], 0, 0);

    await t.queues.analytics.add(job.name, job.data, { jobId: `${String(job.id)}-again` });
    const again = await settled(t.queues.analytics, `${String(job.id)}-again`);

    expect(again.returnvalue).toMatchObject({ applied: false });
    expect((await analytics()).body.data).toEqual(before);
  });

  it('answers from the rollups within a date range, for administrators only', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const all = (await analytics()).body.data;

    const inRange = await analytics(`?from=${today}&to=${today}`);
    const after = await analytics('?from=2999-01-01');

    expect(inRange.body.data).toEqual({ ...all, period: { from: today, to: today } });
    expect(after.body.data).toMatchObject({
      totalOrders: 0,
      revenue: { gross: 0, net: 0 },
      averageOrderValue: 0,
      topProducts: [],
      daily: [],
    });
    expect((await analytics('?from=2026-02-01&to=2026-01-01')).status).toBe(400);
    expect((await analytics('?from=yesterday')).status).toBe(400);
    expect((await analytics('', 'alice')).status).toBe(403);
    expect((await request(t.app).get('/api/orders/analytics')).status).toBe(401);
  });

  it('rebuilds the same rollups from the orders with npm run analytics:rebuild', async () => {
    const before = (await analytics()).body.data;
    await AnalyticsDaily.deleteMany({});
    expect((await analytics()).body.data.totalOrders).toBe(0);

    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/rebuild-analytics.ts'], {
        cwd: path.resolve(__dirname, '..'),
        env: process.env,
        stdio: 'ignore',
      });
      child.once('exit', resolve);
    });

    expect(code).toBe(0);
    expect((await analytics()).body.data).toEqual(before);
    expect(await t.queues.analytics.isPaused()).toBe(false);
  }, 20_000);

  it('reads the rollups only: deleting every order leaves the answer unchanged', async () => {
    const before = (await analytics()).body.data;

    await Promise.all([Order.deleteMany({}), OrderItem.deleteMany({}), ReturnRequest.deleteMany({})]);

    expect((await analytics()).body.data).toEqual(before);
  });
});
