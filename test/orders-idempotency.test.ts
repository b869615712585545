import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createAuthServiceClient } from '../src/clients/auth-service';
import { IdempotencyRecord, Order, OrderHistory, OrderItem } from '../src/models';
import { createOrderBody } from '../src/api/schemas/orders';
import { createOrder } from '../src/services/orders/create-order';
import { guideOrderBody, smallOrderBody } from './helpers/fixtures';
import { listen } from './helpers/orders';
import { useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';
import { config } from '../src/config';

const t = useTestApp();

const newKey = () => `order-${randomUUID()}`;
const post = (key: string | undefined, body: object = guideOrderBody(), user: TestUser = 'alice') => {
  const req = request(t.app).post('/api/orders').set(as(user));
  if (key !== undefined) req.set('Idempotency-Key', key);
  return req.send(body);
};
const ordersOf = (user: TestUser) => Order.countDocuments({ userId: users[user]._id });

describe('POST /api/orders with an Idempotency-Key', () => {
  it('when the same request is sent twice, the second replays the first response and no second order is placed', async () => {
    const key = newKey();
    const before = await ordersOf('alice');

    const first = await post(key);
    const second = await post(key);

    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.data.orderId).toBe(first.body.data.orderId);
    expect(second.body).toEqual(first.body);
    expect(await ordersOf('alice')).toBe(before + 1);
    expect(await OrderHistory.countDocuments({ orderIdString: first.body.data.orderId })).toBe(1);
  });

  it('when the same body is sent with its keys in another order, it is still the same request', async () => {
    const key = newKey();
    const body = guideOrderBody();
    const reordered = { notes: body.notes, items: body.items, deliveryAddress: { ...body.deliveryAddress } };

    const first = await post(key, body);
    const second = await post(key, reordered);

    expect(second.status).toBe(201);
    expect(second.body.data.orderId).toBe(first.body.data.orderId);
  });

  it('when the same key comes with a different body, it answers 422 and places nothing', async () => {
    const key = newKey();
    const first = await post(key, smallOrderBody(100));
    const before = await ordersOf('alice');

    const res = await post(key, smallOrderBody(200));

    expect(res.status).toBe(422);
    expect(res.body.success).toBe(false);
    expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(await ordersOf('alice')).toBe(before);
    const replay = await post(key, smallOrderBody(100));
    expect(replay.body.data.orderId).toBe(first.body.data.orderId);
  });

  it('when three requests with the same key arrive at once, one order is placed and all three answer it', async () => {
    const key = newKey();
    const before = await ordersOf('bob');
    const http = await listen(t.app);

    let answers: { status: number; orderId: string; replayed: string | null }[];
    try {
      answers = await Promise.all(
        [0, 1, 2].map(async () => {
          const res = await fetch(`${http.url}/api/orders`, {
            method: 'POST',
            headers: { ...as('bob'), 'content-type': 'application/json', 'Idempotency-Key': key },
            body: JSON.stringify(guideOrderBody()),
          });
          const body = (await res.json()) as { data: { orderId: string } };
          return { status: res.status, orderId: body.data?.orderId, replayed: res.headers.get('idempotent-replayed') };
        }),
      );
    } finally {
      await http.close();
    }

    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.orderId)).size).toBe(1);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(2);
    expect(await ordersOf('bob')).toBe(before + 1);
    expect(await Order.countDocuments({ orderId: answers[0].orderId })).toBe(1);
  });

  it('when another user sends the same key, a separate order is placed for them', async () => {
    const key = newKey();

    const alices = await post(key, smallOrderBody(), 'alice');
    const bobs = await post(key, smallOrderBody(), 'bob');

    expect(alices.status).toBe(201);
    expect(bobs.status).toBe(201);
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
    expect(bobs.body.data.orderId).not.toBe(alices.body.data.orderId);
    expect(bobs.body.data.userId).toBe(users.bob._id);
    expect(await Order.countDocuments({ orderId: { $in: [alices.body.data.orderId, bobs.body.data.orderId] } })).toBe(
      2,
    );
  });

  it.each([
    ['too short', 'abc'],
    ['with spaces', 'my key 12345'],
    ['with a slash', 'order/12345678'],
    ['too long', 'k'.repeat(129)],
    ['empty', ''],
  ])('when the key is malformed (%s), it answers 400 naming Idempotency-Key and places nothing', async (_what, key) => {
    const before = await Order.countDocuments();

    const res = await post(key);

    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('Idempotency-Key');
    expect(await Order.countDocuments()).toBe(before);
  });

  it('when the first attempt fails before placing anything, the key is freed and a retry places the order', async () => {
    const key = newKey();
    const reachable = t.services.authService;
    t.services.authService = createAuthServiceClient({
      url: 'http://127.0.0.1:1',
      timeoutMs: 500,
      serviceApiKey: config.SERVICE_API_KEY,
    }); // nothing listens there
    let failed: request.Response;
    try {
      failed = await post(key, smallOrderBody(), 'bob');
    } finally {
      t.services.authService = reachable;
    }
    expect(failed.status).toBe(502);
    const before = await ordersOf('bob');

    const retried = await post(key, smallOrderBody(), 'bob');

    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf('bob')).toBe(before + 1);
    expect(await IdempotencyRecord.findById(`create-order:${users.bob._id}:${key}`).lean()).toMatchObject({
      state: 'done',
    });
  });

  it('when no key is sent, two identical requests place two orders', async () => {
    const before = await ordersOf('alice');

    const a = await post(undefined);
    const b = await post(undefined);

    expect(b.body.data.orderId).not.toBe(a.body.data.orderId);
    expect(await ordersOf('alice')).toBe(before + 2);
  });

  it('when a retry took over a keyed request that was only slow, the late commit yields the first order and no second one', async () => {
    const principal = { userId: users.alice._id, role: 'Customer' as const };
    const recordId = `create-order:${users.alice._id}:slow-${randomUUID()}`;
    const input = createOrderBody.parse(smallOrderBody());
    const retry = await createOrder(t.services, principal, input, {}, recordId);
    const itemsBefore = await OrderItem.countDocuments();

    // The original request, presumed dead, reaches its commit afterwards.
    const late = await createOrder(t.services, principal, input, {}, recordId);

    expect(late.order.orderId).toBe(retry.order.orderId);
    expect(await Order.countDocuments({ idempotencyKey: recordId })).toBe(1);
    expect(await OrderItem.countDocuments()).toBe(itemsBefore);
  });
});
