import request from 'supertest';
import { Order } from '../src/models';
import { guideOrderBody, smallOrderBody } from './helpers/fixtures';
import { drained } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { as, users } from './helpers/tokens';

// A debounce long enough that a burst of orders placed one after another falls inside one
// window even on a loaded machine (600 ms was outlasted once in CI); production's is 2 s.
const DEBOUNCE_MS = 2000;
const t = useTestApp({
  workers: ['customer-stats'],
  customers: true,
  settings: { customerStatsDebounceMs: DEBOUNCE_MS },
});
const CALL_DEADLINE_MS = DEBOUNCE_MS + 8000;

const callsSince = (mark: number, customerId: string) =>
  t.customers.calls.slice(mark).filter((c) => c.customerId === customerId);
const settle = () => drained(t.queues['customer-stats']);

describe('customer statistics', () => {
  it('sends one PATCH with the absolute totals of the customer after an order is placed', async () => {
    const mark = t.customers.calls.length;
    const orderId = await t.as('alice').placeOrder(guideOrderBody());
    await eventually(async () => callsSince(mark, 'c-alice').length > 0, CALL_DEADLINE_MS, 'a statistics call');
    await settle();

    const calls = callsSince(mark, 'c-alice');
    expect(calls).toHaveLength(1);
    const order = await Order.findOne({ orderId }).lean();
    expect(calls[0]).toMatchObject({ status: 200, apiKey: process.env.SERVICE_API_KEY });
    expect(calls[0].body).toMatchObject({
      totalOrders: 1,
      totalSpent: 5520,
      lastOrderDate: order!.orderDate.toISOString(),
      ordersByStatus: { Placed: 1, Processing: 0, Cancelled: 0 },
    });
  });

  it('folds a burst of orders of one customer into one call carrying the final totals', async () => {
    const mark = t.customers.calls.length;
    // One after another: FerretDB v1 hands out duplicate order numbers to concurrent creates.
    for (const n of [1, 2, 3, 4]) await t.as('bob').placeOrder(smallOrderBody(10 * n));
    await eventually(async () => callsSince(mark, 'c-bob').length > 0, CALL_DEADLINE_MS, 'a statistics call');
    await settle();

    const calls = callsSince(mark, 'c-bob');
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toMatchObject({ totalOrders: 4, totalSpent: 100, ordersByStatus: { Placed: 4 } });
  });

  it('retries when the Customer Service answers 500 twice, then syncs once', async () => {
    t.customers.answerNext(500, 500);
    const mark = t.customers.calls.length;
    await t.as('alice').placeOrder(smallOrderBody(100));
    await eventually(
      async () => callsSince(mark, 'c-alice').some((c) => c.status === 200),
      CALL_DEADLINE_MS,
      'a successful call',
    );
    await settle();

    const calls = callsSince(mark, 'c-alice');
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(calls[2].body).toMatchObject({ totalOrders: 2, totalSpent: 5620 });
  });

  it('does not retry a 404 and dead-letters the sync', async () => {
    t.customers.answerNext(404);
    const mark = t.customers.calls.length;
    await t.as('bob').placeOrder(smallOrderBody(5));
    await settle();

    expect(callsSince(mark, 'c-bob').map((c) => c.status)).toEqual([404]);
    const letters = await t.queues['dead-letter'].getJobs(['waiting']);
    const letter = letters.find((j) => j.data.queue === 'customer-stats');
    expect(letter?.data).toMatchObject({ name: 'customer.sync', attemptsMade: 1, data: { customerId: 'c-bob' } });
    expect(letter?.data.failedReason).toMatch(/404/);
  });

  it('counts a cancelled order by status but leaves it out of the value', async () => {
    const orderId = await t.as('alice').placeOrder(smallOrderBody(40));
    await settle();
    const mark = t.customers.calls.length;

    await request(t.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set(as('alice'))
      .send({ reason: 'Ordered the wrong size' })
      .expect(200);
    await eventually(async () => callsSince(mark, 'c-alice').length > 0, CALL_DEADLINE_MS, 'a statistics call');
    await settle();

    const [call] = callsSince(mark, 'c-alice');
    expect(call.body).toMatchObject({ totalOrders: 3, totalSpent: 5620, ordersByStatus: { Placed: 2, Cancelled: 1 } });
  });

  it('asks for no sync when the order has no customer id', async () => {
    expect(users.admin.customerId).toBeNull();
    const mark = t.customers.calls.length;
    const orderId = await t.as('admin').placeOrder();
    await settle();

    const order = await Order.findOne({ orderId }).lean();
    expect(order?.customerId).toBeNull();
    const jobs = await t.queues['customer-stats'].getJobs(['completed']);
    expect(jobs.find((j) => j.data.orderId === orderId)?.returnvalue).toEqual({
      skipped: 'the order has no customer id',
    });
    expect(t.customers.calls.length).toBe(mark);
  });
});
