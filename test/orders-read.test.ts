import request from 'supertest';
import { guideOrderBody, smallOrderBody } from './helpers/fixtures';
import { forceStatus } from './helpers/orders';
import { useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';

const t = useTestApp();
/** Alice's twelve orders in the order they were placed, with their totals. */
const alice: { orderId: string; total: number }[] = [];
const bobs: string[] = [];
const PRICES = [700, 300, 1200, 100, 900, 500, 1100, 200, 800, 400, 1000, 600];
const DELIVERED = new Set<number>([1, 4, 9]); // indexes into alice[]

beforeAll(async () => {
  for (const price of PRICES)
    alice.push({ orderId: await t.as('alice').placeOrder(smallOrderBody(price)), total: price });
  for (let i = 0; i < 3; i++) bobs.push(await t.as('bob').placeOrder(smallOrderBody(50)));
  for (const i of DELIVERED) await forceStatus(alice[i].orderId, 'Delivered');
});

const myOrders = (query: string, user: TestUser = 'alice') =>
  request(t.app).get(`/api/orders/me${query}`).set(as(user));
const ids = (res: request.Response) => (res.body.data.orders as { orderId: string }[]).map((o) => o.orderId);

describe('GET /api/orders/me', () => {
  it('when page 2 of 5 is asked for, it answers 5 of the 12 orders with the pagination of page 2 of 3', async () => {
    const res = await myOrders('?page=2&limit=5');

    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.message).toBe('Orders retrieved successfully');
    expect(res.body.data.orders).toHaveLength(5);
    expect(res.body.data.pagination).toEqual({
      currentPage: 2,
      totalPages: 3,
      totalItems: 12,
      itemsPerPage: 5,
      hasNextPage: true,
      hasPreviousPage: true,
    });
  });

  it("when every page is read, it lists each of the caller's 12 orders once and none of another customer's", async () => {
    const pages = await Promise.all([1, 2, 3].map((p) => myOrders(`?page=${p}&limit=5`)));

    const seen = pages.flatMap(ids);
    expect(seen).toHaveLength(12);
    expect([...seen].sort()).toEqual(alice.map((o) => o.orderId).sort());
    expect(seen.some((id) => bobs.includes(id))).toBe(false);
    expect(pages[2].body.data.pagination).toMatchObject({ currentPage: 3, hasNextPage: false, hasPreviousPage: true });
  });

  it('when no query is given, it answers page 1 of 10, newest first', async () => {
    const res = await myOrders('');

    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(
      alice
        .map((o) => o.orderId)
        .reverse()
        .slice(0, 10),
    );
    expect(res.body.data.pagination).toEqual({
      currentPage: 1,
      totalPages: 2,
      totalItems: 12,
      itemsPerPage: 10,
      hasNextPage: true,
      hasPreviousPage: false,
    });
  });

  it('answers only the summary fields of guide 4.2, and the shipment (issue 15), for each order', async () => {
    const res = await myOrders('?limit=50');

    for (const o of res.body.data.orders) {
      expect(Object.keys(o).sort()).toEqual([
        'deliveryAddress',
        'itemCount',
        'orderDate',
        'orderId',
        'shipment',
        'status',
        'totalAmount',
      ]);
      expect(o.deliveryAddress).toEqual({ city: 'Bangalore', state: 'Karnataka' });
      expect(new Date(o.orderDate).toISOString()).toBe(o.orderDate);
    }
    const first = res.body.data.orders.find((o: { orderId: string }) => o.orderId === alice[0].orderId);
    expect(first).toMatchObject({ status: 'Placed', totalAmount: 700, itemCount: 1 });
  });

  it('when filtered by status, it answers only the orders in that status', async () => {
    const delivered = await myOrders('?status=Delivered');
    const placed = await myOrders('?status=Placed&limit=50');

    expect(delivered.status).toBe(200);
    expect([...ids(delivered)].sort()).toEqual([...DELIVERED].map((i) => alice[i].orderId).sort());
    expect(delivered.body.data.pagination).toMatchObject({ totalItems: 3, totalPages: 1 });
    expect(delivered.body.data.orders.every((o: { status: string }) => o.status === 'Delivered')).toBe(true);
    expect(placed.body.data.pagination.totalItems).toBe(9);
    expect(placed.body.data.orders.every((o: { status: string }) => o.status === 'Placed')).toBe(true);
  });

  it('when a status no order has is asked for, it answers an empty first page', async () => {
    const res = await myOrders('?status=Returned');

    expect(res.status).toBe(200);
    expect(res.body.data.orders).toEqual([]);
    expect(res.body.data.pagination).toMatchObject({
      currentPage: 1,
      totalItems: 0,
      totalPages: 0,
      hasNextPage: false,
      hasPreviousPage: false,
    });
  });

  it('when sorted by totalAmount ascending or descending, it answers the orders in that order', async () => {
    const asc = await myOrders('?sortBy=totalAmount&sortOrder=asc&limit=50');
    const desc = await myOrders('?sortBy=totalAmount&sortOrder=desc&limit=5');

    const amounts = (res: request.Response) =>
      (res.body.data.orders as { totalAmount: number }[]).map((o) => o.totalAmount);
    const sorted = [...PRICES].sort((a, b) => a - b);
    expect(amounts(asc)).toEqual(sorted);
    expect(amounts(desc)).toEqual([...sorted].reverse().slice(0, 5));
  });

  it('when another customer asks, they see only their own orders', async () => {
    const res = await myOrders('', 'bob');

    expect([...ids(res)].sort()).toEqual([...bobs].sort());
  });

  it('when no token is sent, it answers 401 in the envelope', async () => {
    const res = await request(t.app).get('/api/orders/me');

    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });

  it.each([
    ['limit=51', 'limit'],
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['page=1.5', 'page'],
    ['page=1&page=2', 'page'],
    ['sortBy=foo', 'sortBy'],
    ['sortBy=customerEmail', 'sortBy'],
    ['sortOrder=up', 'sortOrder'],
    ['status=Foo', 'status'],
    ['status=placed', 'status'],
    ['userId=u-bob-00000000000000002', 'userId'],
    ['foo=bar', 'foo'],
  ])('when the query has %s, it answers 400 naming %s', async (query, field) => {
    const res = await myOrders(`?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.data).toBeUndefined();
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });
});

describe('GET /api/orders/:orderId', () => {
  let guideOrderId: string;
  beforeAll(async () => {
    guideOrderId = await t.as('alice').placeOrder(guideOrderBody());
  });

  it('when the owner asks, it answers the full order with its items (guide 4.3)', async () => {
    const res = await request(t.app).get(`/api/orders/${guideOrderId}`).set(as('alice'));

    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.message).toBe('Order retrieved successfully');
    const d = res.body.data;
    expect(d).toMatchObject({
      orderId: guideOrderId,
      userId: users.alice._id,
      customerEmail: users.alice.email,
      customerName: 'Alice Doe',
      status: 'Placed',
      totalAmount: 5520,
      itemCount: 3,
      deliveryAddress: guideOrderBody().deliveryAddress,
      notes: 'Please deliver between 10 AM - 2 PM',
    });
    for (const k of ['orderDate', 'createdAt', 'updatedAt']) expect(new Date(d[k]).toISOString()).toBe(d[k]);
    expect(d.items).toHaveLength(2);
    expect(d.items[0]).toEqual({
      itemId: expect.stringMatching(/^[0-9a-f]{24}$/),
      productId: 'PROD-001',
      productName: 'Wireless Headphones',
      productDescription: 'Premium noise-cancelling headphones',
      sku: 'WH-NC-001',
      quantity: 2,
      unitPrice: 2500,
      totalPrice: 5000,
      discount: 250,
      tax: 225,
      finalPrice: 4975,
    });
    expect(d.items[1]).toMatchObject({ productId: 'PROD-002', sku: 'CABLE-USBC-01', finalPrice: 545 });
  });

  it('never shows the internal bookkeeping of the order', async () => {
    const res = await request(t.app).get(`/api/orders/${guideOrderId}`).set(as('alice'));

    for (const k of [
      '_id',
      'outbox',
      'outboxPending',
      'version',
      'idempotencyKey',
      'customerEmailLower',
      'customerNameLower',
    ]) {
      expect(res.body.data).not.toHaveProperty(k);
    }
    expect(res.body.data.metadata ?? {}).not.toHaveProperty('ipAddress');
  });

  it("when another customer asks, it answers 403 with exactly the guide's body", async () => {
    const res = await request(t.app).get(`/api/orders/${guideOrderId}`).set(as('bob'));

    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      success: false,
      message: 'Access denied',
      errors: [{ field: 'authorization', message: 'You can only access your own orders' }],
    });
  });

  it("when an administrator asks for a customer's order, it answers the order", async () => {
    const res = await request(t.app).get(`/api/orders/${guideOrderId}`).set(as('admin'));

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ orderId: guideOrderId, userId: users.alice._id });
    expect(res.body.data.items).toHaveLength(2);
  });

  it('when the order does not exist, it answers 404 in the envelope', async () => {
    const res = await request(t.app).get('/api/orders/ORD-2001-999999').set(as('alice'));

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      success: false,
      message: 'Order not found',
      errors: [{ field: 'orderId', message: 'Order not found' }],
    });
  });

  it.each(['nope', 'ORD-26-1', 'RET-2026-000001', 'ord-2026-000001'])(
    'when %s is no order id at all, it answers 400 naming orderId',
    async (id) => {
      const res = await request(t.app).get(`/api/orders/${id}`).set(as('alice'));

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        message: 'Validation failed',
        errors: [{ field: 'orderId', message: 'Must be an order id like ORD-2026-000001' }],
      });
    },
  );
});

describe('the static paths under /api/orders are never taken for an order id', () => {
  const paths = [
    '/api/orders/me',
    '/api/orders/search',
    '/api/orders/returns',
    '/api/orders/analytics',
    '/api/orders/internal',
    '/api/orders/internal/customer/x',
  ];

  it.each(paths.flatMap((p) => (['alice', 'admin'] as const).map((u) => [p, u] as const)))(
    'when %s is asked for by %s, the answer is not the order lookup',
    async (path, user) => {
      const res = await request(t.app).get(path).set(as(user));

      expect(res.body.success).toBeDefined();
      expect(res.body.message).not.toBe('Order not found');
      expect(JSON.stringify(res.body.errors ?? [])).not.toContain('Order not found');
    },
  );

  it.each(['/api/orders/me/history', '/api/orders/returns/history', '/api/orders/search/history'])(
    'when %s is asked for, it is not read as the history of an order',
    async (path) => {
      const res = await request(t.app).get(path).set(as('admin'));

      expect(res.body.message).not.toBe('Order not found');
    },
  );

  it('when /api/orders/me is asked for, it answers the caller’s list', async () => {
    const res = await request(t.app).get('/api/orders/me').set(as('bob'));

    expect(res.status).toBe(200);
    expect(res.body.data.pagination.totalItems).toBe(3);
  });
});
