import request from 'supertest';
import { Order, OrderEvent, OrderHistory, OrderItem, ReturnRequest } from '../src/models';
import { newEvent } from '../src/services/order-events';
import { commitChange } from '../src/services/order-write';
import { guideOrderBody, smallOrderBody } from './helpers/fixtures';
import { listen } from './helpers/orders';

import { useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';

const t = useTestApp();

const get = (path: string, user: TestUser = 'admin') => request(t.app).get(path).set(as(user));
const setStatus = (orderId: string, body: object) =>
  request(t.app).patch(`/api/orders/${orderId}/status`).set(as('admin')).send(body);
const ids = (res: request.Response) => res.body.data.orders.map((o: { orderId: string }) => o.orderId);

describe('the order desk is for administrators only', () => {
  it('every desk route answers 403 to a customer token and 401 without one', async () => {
    const routes: [string, string][] = [
      ['get', '/api/orders'],
      ['get', '/api/orders/search?q=alice'],
      ['put', '/api/orders/ORD-2026-000001'],
      ['patch', '/api/orders/ORD-2026-000001/status'],
      ['delete', '/api/orders/ORD-2026-000001'],
      ['get', '/api/orders/returns'],
      ['patch', '/api/orders/returns/RET-2026-000001/review'],
    ];

    for (const [method, path] of routes) {
      const call = (r: request.Test) => r.send({ status: 'Shipped' });
      const customer = await call(request(t.app)[method as 'get'](path).set(as('alice')));
      const anonymous = await call(request(t.app)[method as 'get'](path));
      expect({ path, method, customer: customer.status, anonymous: anonymous.status }).toEqual({
        path,
        method,
        customer: 403,
        anonymous: 401,
      });
      expect(customer.body.success).toBe(false);
    }
  });
});

describe('GET /api/orders (guide 3.2.1)', () => {
  let big: string; // alice, 5520.00
  let small: string; // alice, 100.00
  let bobs: string; // bob, 300.00, Processing
  beforeAll(async () => {
    big = await t.as('alice').placeOrder(guideOrderBody());
    small = await t.as('alice').placeOrder(smallOrderBody(100));
    bobs = await t.as('bob').placeOrder(smallOrderBody(300));
    await t.as('admin').move(bobs, 'Processing');
  });

  it("lists every customer's orders newest first, with whose order each is, in the shape of guide 4.2", async () => {
    const res = await get('/api/orders');

    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Orders retrieved successfully');
    expect(ids(res)).toEqual([bobs, small, big]);
    expect(res.body.data.orders[0]).toEqual({
      orderId: bobs,
      orderDate: expect.any(String),
      status: 'Processing',
      totalAmount: 300,
      itemCount: 1,
      shipment: null,
      deliveryAddress: { city: 'Bangalore', state: 'Karnataka' },
      userId: users.bob._id,
      customerId: 'c-bob',
      customerName: 'Bob Smith',
      customerEmail: 'bob.smith@example.com',
    });
    expect(res.body.data.pagination).toEqual({
      currentPage: 1,
      totalPages: 1,
      totalItems: 3,
      itemsPerPage: 10,
      hasNextPage: false,
      hasPreviousPage: false,
    });
  });

  it('filters by status, user, customer and an inclusive amount range given in decimals', async () => {
    expect(ids(await get('/api/orders?status=Processing'))).toEqual([bobs]);
    expect(ids(await get(`/api/orders?userId=${users.alice._id}`))).toEqual([small, big]);
    expect(ids(await get('/api/orders?customerId=c-bob'))).toEqual([bobs]);
    expect(ids(await get('/api/orders?minAmount=300'))).toEqual([bobs, big]);
    expect(ids(await get('/api/orders?minAmount=100&maxAmount=100.00'))).toEqual([small]);
  });

  it('filters by order date', async () => {
    const today = new Date().toISOString().slice(0, 10);

    expect(ids(await get(`/api/orders?from=${today}&to=${today}`))).toHaveLength(3);
    expect(ids(await get('/api/orders?to=2020-12-31'))).toEqual([]);
    expect(ids(await get(`/api/orders?from=${new Date(Date.now() + 60_000).toISOString()}`))).toEqual([]);
  });

  it('sorts by total amount either way and pages through the result', async () => {
    expect(ids(await get('/api/orders?sortBy=totalAmount&sortOrder=asc'))).toEqual([small, bobs, big]);
    const page2 = await get('/api/orders?sortBy=totalAmount&sortOrder=desc&limit=2&page=2');
    expect(ids(page2)).toEqual([small]);
    expect(page2.body.data.pagination).toMatchObject({
      currentPage: 2,
      totalPages: 2,
      hasNextPage: false,
      hasPreviousPage: true,
    });
  });

  it('refuses unknown filters, amounts that are not decimals and ranges that end before they start', async () => {
    const unknown = await get('/api/orders?colour=red');
    const amount = await get('/api/orders?minAmount=1e3');
    const range = await get('/api/orders?minAmount=200&maxAmount=100');

    expect(unknown.body.errors).toEqual([{ field: 'colour', message: 'Unknown field' }]);
    expect(amount.body.errors).toEqual([
      { field: 'minAmount', message: 'Must be an amount with at most two decimals' },
    ]);
    expect(range.body.errors).toEqual([{ field: 'maxAmount', message: 'Must not be less than minAmount' }]);
  });
});

describe('GET /api/orders/search (guide 3.2.2)', () => {
  let alices: string;
  let bobs: string;
  beforeAll(async () => {
    alices = await t.as('alice').placeOrder();
    bobs = await t.as('bob').placeOrder();
  });
  const search = (q: string) => get(`/api/orders/search?q=${encodeURIComponent(q)}&limit=50`);

  it('finds an order by its exact order id, typed in any case', async () => {
    const res = await search(bobs.toLowerCase());

    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([bobs]);
    expect(res.body.data.pagination.totalItems).toBe(1);
  });

  it("finds a customer's orders by the start of their email, ignoring case, and no one else's", async () => {
    const found = ids(await search('ALICE.d'));

    expect(found).toContain(alices);
    expect(found).not.toContain(bobs);
    expect(ids(await search('lice.doe'))).toEqual([]);
  });

  it("finds a customer's orders by the start of their name, and no one else's", async () => {
    const found = ids(await search('bob sm'));

    expect(found).toContain(bobs);
    expect(found).not.toContain(alices);
  });

  it('takes regular-expression characters literally', async () => {
    expect(ids(await search('.*'))).toEqual([]);
    expect(ids(await search('(a'))).toEqual([]);
  });

  it('requires q, of 1 to 100 characters', async () => {
    expect((await get('/api/orders/search')).body.errors).toEqual([{ field: 'q', message: expect.any(String) }]);
    expect((await search('x'.repeat(101))).body.errors).toEqual([
      { field: 'q', message: 'Must be at most 100 characters' },
    ]);
  });
});

describe('PUT /api/orders/:orderId (guide 3.2.3)', () => {
  const newAddress = { ...guideOrderBody().deliveryAddress, street: '42 MG Road', city: 'Mysuru', zipCode: '570001' };
  const update = (orderId: string, body: object) =>
    request(t.app).put(`/api/orders/${orderId}`).set(as('admin')).send(body);

  it('changes the delivery address and notes of an order not yet shipped, and records who did it', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await update(orderId, { deliveryAddress: newAddress, notes: 'Customer called: new address' });

    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Order updated successfully');
    expect(res.body.data).toMatchObject({
      orderId,
      deliveryAddress: newAddress,
      notes: 'Customer called: new address',
      updatedBy: users.admin._id,
    });
    expect(await Order.findOne({ orderId }).lean()).toMatchObject({
      deliveryAddress: newAddress,
      updatedBy: users.admin._id,
      status: 'Placed',
    });
  });

  it('refuses a new address once the order has shipped, and still takes notes', async () => {
    const orderId = await t.as('alice').placeOrder();
    await t.as('admin').move(orderId, 'Processing', 'Shipped');

    const address = await update(orderId, { deliveryAddress: newAddress });
    const notes = await update(orderId, { notes: 'Courier delayed' });

    expect(address.status).toBe(400);
    expect(address.body).toMatchObject({ message: 'Cannot update order', errors: [{ field: 'deliveryAddress' }] });
    expect(notes.status).toBe(200);
    expect(await Order.findOne({ orderId }).lean()).toMatchObject({
      notes: 'Courier delayed',
      deliveryAddress: { city: 'Bangalore' },
    });
  });

  it('refuses unknown fields (a status among them), an empty body and an unknown order', async () => {
    const orderId = await t.as('alice').placeOrder();

    const status = await update(orderId, { status: 'Delivered' });
    const empty = await update(orderId, {});
    const unknown = await update('ORD-2001-999999', { notes: 'hello there' });

    expect(status.body.errors).toEqual([{ field: 'status', message: 'Unknown field' }]);
    expect(empty.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect((await Order.findOne({ orderId }).lean())?.status).toBe('Placed');
  });
});

describe('PATCH /api/orders/:orderId/status (guide 4.6)', () => {
  it('moves a Placed order to Processing and answers the guide 4.6 body', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await setStatus(orderId, { status: 'Processing', notes: 'Picked from the shelf' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: 'Order status updated successfully',
      data: {
        orderId,
        previousStatus: 'Placed',
        newStatus: 'Processing',
        updatedBy: users.admin._id,
        updatedAt: expect.any(String),
      },
    });
    expect(await Order.findOne({ orderId }).lean()).toMatchObject({ status: 'Processing', updatedBy: users.admin._id });
  });

  it('writes the history row with the notes and queues order.status_changed for emails, statistics and analytics', async () => {
    const orderId = await t.as('alice').placeOrder();

    await setStatus(orderId, { status: 'Processing', notes: 'Shipped via FedEx soon' });

    const row = await OrderHistory.findOne({ orderIdString: orderId, newStatus: 'Processing' }).lean();
    expect(row).toMatchObject({
      previousStatus: 'Placed',
      changedBy: users.admin._id,
      changedByRole: 'Administrator',
      notes: 'Shipped via FedEx soon',
    });
    for (const q of [t.queues.emails, t.queues['customer-stats'], t.queues.analytics]) {
      expect((await q.getJob(row!.eventId))?.data).toMatchObject({
        type: 'order.status_changed',
        orderId,
        previousStatus: 'Placed',
        newStatus: 'Processing',
      });
    }
  });

  it('refuses with 422 an edge the lifecycle does not have, naming the allowed next statuses', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await setStatus(orderId, { status: 'Delivered' });

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      success: false,
      message: 'Invalid status transition',
      errors: [
        {
          field: 'status',
          message:
            "Cannot change status from 'Placed' to 'Delivered'. Allowed next statuses: 'Processing', 'Cancelled'",
        },
      ],
    });
    expect((await Order.findOne({ orderId }).lean())?.status).toBe('Placed');
  });

  it("refuses 'Return Requested', which only a customer's return request sets, and any change of a final status", async () => {
    const delivered = await t.as('alice').placeOrder();
    await t.as('admin').move(delivered, 'Processing', 'Shipped', 'Delivered');
    const cancelled = await t.as('alice').placeOrder();
    await t.as('admin').move(cancelled, 'Cancelled');

    const returnRequested = await setStatus(delivered, { status: 'Return Requested' });
    const reopened = await setStatus(cancelled, { status: 'Processing' });

    expect(returnRequested.status).toBe(422);
    expect(returnRequested.body.errors[0].message).toMatch(/only by a return request/);
    expect(reopened.status).toBe(422);
    expect(reopened.body.errors[0].message).toBe(
      "Cannot change status from 'Cancelled' to 'Processing'. 'Cancelled' is a final status",
    );
  });

  it('cancelling through this route records the cancellation as the customer route does', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await setStatus(orderId, { status: 'Cancelled', notes: 'Out of stock at the warehouse' });

    expect(res.status).toBe(200);
    const order = await Order.findOne({ orderId }).lean();
    expect(order).toMatchObject({
      status: 'Cancelled',
      cancellationReason: 'Out of stock at the warehouse',
      cancelledBy: users.admin._id,
    });
    expect(order?.cancelledAt).toBeInstanceOf(Date);
    const row = await OrderHistory.findOne({ orderIdString: orderId, newStatus: 'Cancelled' }).lean();
    expect((await t.queues.emails.getJob(row!.eventId))?.name).toBe('order.cancelled');
  });

  it('refuses an unknown status and notes over 500 characters', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await setStatus(orderId, { status: 'Lost', notes: 'n'.repeat(501) });

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['notes', 'status']);
  });

  it('of simultaneous changes of one order exactly one wins; the others answer 409 (or 422 once the winner is visible)', async () => {
    const orderId = await t.as('alice').placeOrder();
    await t.as('admin').move(orderId, 'Processing');
    const versionBefore = (await Order.findOne({ orderId }).lean())?.version as number;
    const server = await listen(t.app);
    let statuses: number[];
    try {
      const answers = await Promise.all(
        ['Shipped', 'Cancelled', 'Shipped', 'Cancelled', 'Shipped', 'Cancelled'].map((status) =>
          request(server.server).patch(`/api/orders/${orderId}/status`).set(as('admin')).send({ status }),
        ),
      );
      statuses = answers.map((r) => r.status);
    } finally {
      await server.close();
    }

    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses).toContain(409);
    expect(statuses.filter((s) => s !== 200 && s !== 409 && s !== 422)).toEqual([]);
    expect((await Order.findOne({ orderId }).lean())?.version).toBe(versionBefore + 1);
    expect(await OrderHistory.countDocuments({ orderIdString: orderId, previousStatus: 'Processing' })).toBe(1);
  });
  it('of eight commits of one order version started at the same instant exactly one succeeds, five times over (FerretDB needs the order lock for this)', async () => {
    const orderId = await t.as('alice').placeOrder();

    for (let round = 0; round < 5; round++) {
      const order = (await Order.findOne({ orderId }, { _id: 1, version: 1 }).lean())!;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => commitChange(order, { notes: `writer ${i}` }, [])),
      );

      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await Order.findOne({ orderId }).lean()).toMatchObject({
        version: order.version + 1,
        notes: `writer ${winners[0]}`,
      });
    }
  });
});

describe('a committed change whose relay never ran (its process died right after the write)', () => {
  it('is marked pending, and the sweeper delivers its history row and clears the mark', async () => {
    const orderId = await t.as('alice').placeOrder();
    const order = (await Order.findOne({ orderId }, { _id: 1, version: 1 }).lean())!;
    const admin = { userId: users.admin._id, role: 'Administrator', name: 'Order Desk' } as const;

    await commitChange(order, { status: 'Processing' }, [
      newEvent('order.status_changed', admin, { from: 'Placed', to: 'Processing' }),
    ]);

    expect((await Order.findById(order._id, { outboxPending: 1 }).lean())?.outboxPending).toBe(true);
    expect(await t.outbox.sweep(0)).toBeGreaterThanOrEqual(1);
    expect(await Order.findById(order._id, { outbox: 1, outboxPending: 1 }).lean()).toMatchObject({
      outbox: [],
      outboxPending: false,
    });
    expect(await OrderHistory.countDocuments({ orderIdString: orderId, newStatus: 'Processing' })).toBe(1);
  });
});

describe('DELETE /api/orders/:orderId (guide 3.2.5)', () => {
  it('removes the order with its items, history and return requests; it is 404 afterwards', async () => {
    const o = await t.as('alice').openReturn();
    const other = await t.as('alice').placeOrder();
    const order = await Order.findOne({ orderId: o.orderId }).lean();

    const res = await request(t.app).delete(`/api/orders/${o.orderId}`).set(as('admin'));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      message: 'Order deleted successfully',
      data: { orderId: o.orderId, deleted: { items: 2, history: 5, returns: 1 } },
    });
    expect(await Order.countDocuments({ _id: order!._id })).toBe(0);
    expect(await OrderItem.countDocuments({ orderId: order!._id })).toBe(0);
    expect(await OrderHistory.countDocuments({ orderId: order!._id })).toBe(0);
    expect(await ReturnRequest.countDocuments({ orderId: order!._id })).toBe(0);
    // Its events stay, marked, for jobs of them still on their way to find and skip (the maintenance removes them later).
    expect(await OrderEvent.countDocuments({ orderRef: order!._id, orderDeleted: { $ne: true } })).toBe(0);
    expect(
      await OrderEvent.countDocuments({ orderRef: order!._id, orderDeleted: true, settled: true, sequenced: true }),
    ).toBeGreaterThan(0);
    expect((await get(`/api/orders/${o.orderId}`)).status).toBe(404);
    expect((await request(t.app).delete(`/api/orders/${o.orderId}`).set(as('admin'))).status).toBe(404);
    expect((await get(`/api/orders/${other}`)).status).toBe(200);
  });

  it('of two simultaneous deletes of one order exactly one answers 200; the other finds it gone, 404, five times over', async () => {
    const server = await listen(t.app);
    try {
      for (let round = 0; round < 5; round++) {
        const orderId = await t.as('alice').placeOrder();

        const answers = await Promise.all(
          [1, 2].map(() => request(server.server).delete(`/api/orders/${orderId}`).set(as('admin'))),
        );

        expect(answers.map((r) => r.status).sort()).toEqual([200, 404]);
        expect(answers.find((r) => r.status === 404)?.body).toMatchObject({
          success: false,
          message: 'Order not found',
        });
      }
    } finally {
      await server.close();
    }
  });
});
