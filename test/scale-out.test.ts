import request from 'supertest';
import { Order, OrderHistory, Refund, ReturnRequest } from '../src/models';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { APPROVE } from './helpers/driver';
import { auditEffects } from './helpers/effects-audit';
import { startFakeAuthService, type FakeAuthService } from './helpers/fake-auth-service';
import { guideOrderBody, smallOrderBody } from './helpers/fixtures';
import { drainedWhileProgressing } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { as, bearer, tokenFor } from './helpers/tokens';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

/**
 * The service scaled out: two API processes and three worker processes (the real entry
 * points) on this file's database and queue prefix. 500 orders with Idempotency-Keys are
 * placed across both APIs at concurrency 20, some keys sent twice; then orders are
 * cancelled, moved along their lifecycle and one is returned, each step through the other
 * API than the one before, with a few changes sent to both APIs at once. Every order exists
 * once, every change has one history row, one email and its share of the statistics and
 * analytics, and no job failed.
 */
// Each test takes 25-75 s on a two-core machine shared with other test files; beside the
// chaos suite in CI the serial analytics queue alone took minutes to drain.
jest.setTimeout(600_000);

const ORDERS = 500;
const CONCURRENCY = 20;
const CUSTOMERS = 10;
/** Orders whose key is also sent to the other API at the same moment, and once more afterwards. */
const sentTwiceAtOnce = (i: number) => i % 20 === 7;
const resentLater = (i: number) => i % 20 === 17;
/** Order i is changed by plan i % MIX (0-6: 20 orders each); the others stay Placed. */
const MIX = 25;

const t = useTestApp({ smtp: true, customers: true });
let auth: FakeAuthService;
const apis: ApiProcess[] = [];
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  // Customers u-scale-0 … u-scale-9 (the file's own Auth Service knows them), besides the admin.
  auth = await startFakeAuthService({ generatedPrefix: 'u-scale-' });
  t.onClose(() => auth.close());
  t.onClose(() => Promise.all([...apis, ...workers].map((p) => p.kill())));
  const env = {
    ...peersEnv({ auth, smtp: t.smtp, customers: t.customers }),
    // A customer's statistics are sent after a second without a change of theirs.
    CUSTOMER_STATS_DEBOUNCE_MS: '1000',
    OUTBOX_SWEEP_INTERVAL_MS: '1000',
    OUTBOX_SWEEP_AGE_MS: '2000',
    // The peers run in this (busy) process: production's timeouts, not the tests' short
    // ones. With a 2 s SMTP timeout a slow 250 counts as "maybe sent" and the email is
    // sent again (DESIGN.md 10), a second copy this file would rightly report.
    UPSTREAM_TIMEOUT_MS: '15000',
    EMAIL_TIMEOUT_MS: '15000',
    EMAIL_CLAIM_LOCK_MS: '60000',
  };
  await Promise.all([
    ...[1, 2].map(() => startApiProcess(env, 60_000).then((p) => void apis.push(p))),
    ...[1, 2, 3].map(() => startWorkerProcess(env, [], 60_000).then((p) => void workers.push(p))),
  ]);
}, 90_000);

const customerOf = (i: number) => `u-scale-${i % CUSTOMERS}`;
const asCustomerOf = (i: number) => bearer(tokenFor({ sub: customerOf(i) }));
const keyOf = (i: number) => `scale-out-order-${i}`;
/** The guide's order (headphones and a cable) for the orders that may be returned; small ones of varied value otherwise. */
const bodyOf = (i: number) => (i % MIX === 2 ? guideOrderBody() : smallOrderBody(100 + (i % 7) * 25, 1 + (i % 3)));

/** Runs `task` for 0 … n-1, at most `concurrency` at a time. */
async function inPool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}

interface Answer {
  i: number;
  status: number;
  orderId: string | undefined;
  items: { itemId: string; productId: string }[];
  replayed: boolean;
  text: string;
}

/** Places order i through `api`; while the same key is still being processed elsewhere (409 on the key, "retry later"), retries as a client would, for up to 60 s. */
async function place(i: number, api: ApiProcess): Promise<Answer> {
  const send = () =>
    request(api.url).post('/api/orders').set(asCustomerOf(i)).set('Idempotency-Key', keyOf(i)).send(bodyOf(i));
  const deadline = Date.now() + 60_000;
  let res = await send();
  while (
    res.status === 409 &&
    (res.body as { errors?: { field?: string }[] }).errors?.[0]?.field === 'Idempotency-Key' &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 250));
    res = await send();
  }
  const data = (res.body as { data?: { orderId?: string; items?: Answer['items'] } }).data;
  return {
    i,
    status: res.status,
    orderId: data?.orderId,
    items: data?.items ?? [],
    replayed: res.get('Idempotent-Replayed') === 'true',
    text: res.text,
  };
}

/** Order i's id, as acknowledged by the first test. */
const placed: string[] = [];
/** Item ids of the guide orders, by order id. */
const headphonesOf = new Map<string, string>();

describe('two API processes and three worker processes on one database and queue prefix', () => {
  it('creates each of 500 orders placed across both APIs at concurrency 20 exactly once, and replays a key sent again with the same order', async () => {
    // Each order goes to API i % 2; some keys are also sent to the other API at the same time.
    const sends = Array.from({ length: ORDERS }, (_, i) => [
      { i, api: i % 2 },
      ...(sentTwiceAtOnce(i) ? [{ i, api: (i + 1) % 2 }] : []),
    ]).flat();

    const answers = await inPool(sends.length, CONCURRENCY, (n) => place(sends[n].i, apis[sends[n].api]));
    const resends = Array.from({ length: ORDERS }, (_, i) => i).filter(resentLater);
    const later = await inPool(resends.length, CONCURRENCY, (n) => place(resends[n], apis[(resends[n] + 1) % 2]));

    const all = [...answers, ...later];
    expect(all.filter((a) => a.status !== 201 || !a.orderId).map((a) => `order ${a.i}: ${a.status} ${a.text}`)).toEqual(
      [],
    );
    const byOrder = new Map<number, Answer[]>();
    for (const a of all) byOrder.set(a.i, [...(byOrder.get(a.i) ?? []), a]);
    for (const [i, [first]] of byOrder) {
      placed[i] = first.orderId!;
      const headphones = first.items.find((item) => item.productId === 'PROD-001');
      if (headphones) headphonesOf.set(first.orderId!, headphones.itemId);
    }
    const resent = [...byOrder.values()].filter((group) => group.length > 1);
    expect(resent).toHaveLength(50);
    // The same order every time, created by exactly one of the requests.
    expect(
      resent
        .filter(
          (group) => new Set(group.map((a) => a.orderId)).size !== 1 || group.filter((a) => !a.replayed).length !== 1,
        )
        .map((group) => group[0].i),
    ).toEqual([]);
    expect(later.every((a) => a.replayed)).toBe(true);

    const orders = await Order.find({}, { orderId: 1, idempotencyKey: 1 }).lean();
    expect(orders).toHaveLength(ORDERS);
    expect(new Set(orders.map((o) => o.orderId)).size).toBe(ORDERS);
    expect(new Set(orders.map((o) => o.idempotencyKey)).size).toBe(ORDERS);
    expect(new Set(placed).size).toBe(ORDERS);
    expect(orders.filter((o) => !/^ORD-\d{4}-\d{6}$/.test(o.orderId)).map((o) => o.orderId)).toEqual([]);
  });

  it('applies cancels, status changes and a return sent through both APIs, one winner per race, with every effect of every change exactly once', async () => {
    expect(placed.filter(Boolean)).toHaveLength(ORDERS); // by the test before
    const admin = as('admin');
    const problems: string[] = [];
    const races: { i: number; statuses: number[] }[] = [];
    // What each order should end as: its status and its history rows (the Placed one included).
    const expected = new Map<string, { status: string; rows: number }>();

    /** One step of order i through API `step` (so consecutive steps alternate between the processes). */
    const api = (i: number, step: number) => apis[(i + step) % 2];
    const expectOk = (what: string, res: request.Response) => {
      if (res.status !== 200) problems.push(`${what}: ${res.status} ${res.text}`);
    };
    const move = (i: number, step: number, status: string) =>
      request(api(i, step).url).patch(`/api/orders/${placed[i]}/status`).set(admin).send({ status });
    const cancel = (i: number, step: number) =>
      request(api(i, step).url)
        .post(`/api/orders/${placed[i]}/cancel`)
        .set(asCustomerOf(i))
        .send({ reason: 'Ordered the wrong size by mistake' });
    const walk = async (i: number, statuses: string[]) => {
      for (const [step, status] of statuses.entries())
        expectOk(`moving order ${i} to ${status}`, await move(i, step, status));
    };

    /** The return of a delivered guide order: both headphones, requested by the customer, approved by the desk, goods back. */
    const returnAndRefund = async (i: number) => {
      const requested = await request(api(i, 3).url)
        .post(`/api/orders/${placed[i]}/return`)
        .set(asCustomerOf(i))
        .set('Idempotency-Key', `scale-out-return-${i}`)
        .send({
          reason: 'Product damaged during shipping',
          reasonCategory: 'Damaged',
          items: [{ orderItemId: headphonesOf.get(placed[i]), quantity: 2 }],
        });
      expectOk(`requesting a return of order ${i}`, requested);
      const returnId = (requested.body as { data?: { returnId?: string } }).data?.returnId ?? 'none';
      expectOk(
        `approving return ${returnId}`,
        await request(api(i, 4).url)
          .patch(`/api/orders/returns/${returnId}/review`)
          .set(admin)
          .send({ ...APPROVE, refundAmount: 4975 }),
      );
      expectOk(`completing return ${returnId}`, await move(i, 5, 'Returned'));
    };

    const changes = async (i: number): Promise<void> => {
      const orderId = placed[i];
      switch (i % MIX) {
        case 0:
          expectOk(`cancelling order ${i}`, await cancel(i, 0));
          expected.set(orderId, { status: 'Cancelled', rows: 2 });
          return;
        case 1:
          await walk(i, ['Processing']);
          expectOk(`cancelling order ${i}`, await cancel(i, 1));
          expected.set(orderId, { status: 'Cancelled', rows: 3 });
          return;
        case 2:
          await walk(i, ['Processing', 'Shipped', 'Delivered']);
          if (i === 2) await returnAndRefund(i);
          expected.set(orderId, i === 2 ? { status: 'Returned', rows: 6 } : { status: 'Delivered', rows: 4 });
          return;
        case 3:
          await walk(i, ['Processing', 'Shipped']);
          expected.set(orderId, { status: 'Shipped', rows: 3 });
          return;
        case 4:
          await walk(i, ['Processing']);
          expected.set(orderId, { status: 'Processing', rows: 2 });
          return;
        case 5:
        case 6: {
          // The same change sent to both APIs at once: the customer cancels twice, or the desk moves twice.
          const both = await Promise.all(
            [0, 1].map((step) => (i % MIX === 5 ? cancel(i, step) : move(i, step, 'Processing'))),
          );
          races.push({ i, statuses: both.map((r) => r.status).sort((a, b) => a - b) });
          expected.set(orderId, { status: i % MIX === 5 ? 'Cancelled' : 'Processing', rows: 2 });
          return;
        }
        default:
          expected.set(orderId, { status: 'Placed', rows: 1 });
      }
    };

    await inPool(ORDERS, CONCURRENCY, changes);

    expect(problems).toEqual([]);
    expect(races).toHaveLength(40);
    // One of the two wins; the other lost the race (409) or found the change made (400, 422).
    expect(races.filter((r) => r.statuses[0] !== 200 || ![400, 409, 422].includes(r.statuses[1]))).toEqual([]);
    // An event per change of status, and the return's approval (which changes none).
    const events = ORDERS + [...expected.values()].reduce((sum, e) => sum + e.rows - 1, 0) + 1;

    // Until every outbox is relayed and every job done, the statistics' debounce included;
    // analytics runs one job at a time, so on a busy machine the wait is for progress.
    await eventually(
      async () => (await Order.countDocuments({ outboxPending: true })) === 0,
      120_000,
      'every outbox to be relayed',
    );
    await drainedWhileProgressing(t, 60_000, 'scale-out');

    const audit = await auditEffects(t);
    expect(audit.problems).toEqual([]);
    expect(audit.events).toBe(events);

    const orders = await Order.find({}, { orderId: 1, status: 1 }).lean();
    const rows = new Map<string, number>();
    for (const h of await OrderHistory.find({}, { orderIdString: 1 }).lean())
      rows.set(h.orderIdString, (rows.get(h.orderIdString) ?? 0) + 1);
    expect(orders).toHaveLength(ORDERS);
    expect(
      orders
        .map((o) => ({ orderId: o.orderId, status: o.status, rows: rows.get(o.orderId) ?? 0 }))
        .filter((o) => o.status !== expected.get(o.orderId)?.status || o.rows !== expected.get(o.orderId)?.rows),
    ).toEqual([]);

    const confirmations = new Map<string, number>();
    for (const m of t.smtp.received) {
      const id = /^Order (ORD-\d{4}-\d{6}) confirmed/.exec(m.subject)?.[1];
      if (id) confirmations.set(id, (confirmations.get(id) ?? 0) + 1);
    }
    expect(orders.filter((o) => confirmations.get(o.orderId) !== 1).map((o) => o.orderId)).toEqual([]);

    const refunds = await Refund.find({}, { orderId: 1, amount: 1, status: 1, _id: 0 }).lean();
    expect(refunds).toEqual([{ orderId: placed[2], amount: 497500, status: 'Completed' }]);
    expect(await ReturnRequest.find({}, { status: 1, refundStatus: 1, _id: 0 }).lean()).toEqual([
      { status: 'Completed', refundStatus: 'Completed' },
    ]);
  });
});
