import request from 'supertest';
import { Order } from '../src/models';
import { guideOrderBody, smallOrderBody } from './helpers/fixtures';

import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp();
let alices: string[]; // newest last: 5520.00, 100.00 (cancelled), 250.00
let bobs: string;
beforeAll(async () => {
  alices = [
    await t.as('alice').placeOrder(guideOrderBody()),
    await t.as('alice').placeOrder(smallOrderBody(100)),
    await t.as('alice').placeOrder(smallOrderBody(250)),
  ];
  await t.as('admin').move(alices[1], 'Cancelled');
  bobs = await t.as('bob').placeOrder(smallOrderBody(999));
});

const internal = (path: string, key: string | null = process.env.SERVICE_API_KEY as string) => {
  const r = request(t.app).get(`/api/orders/internal${path}`);
  return key === null ? r : r.set('x-service-api-key', key);
};

describe('internal endpoints for the Customer Service (guide 3.3)', () => {
  it('answer 401 in the envelope without the service key, with a wrong one, and to a user token', async () => {
    const none = await internal('/customer/c-alice', null);
    const wrong = await internal('/customer/c-alice/count', 'not-the-service-key-at-all');
    const userToken = await request(t.app).get('/api/orders/internal/customer/c-alice').set(as('admin'));

    for (const res of [none, wrong, userToken]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        success: false,
        message: 'Unauthorized',
        errors: [{ field: 'x-service-api-key', message: 'A valid service API key is required' }],
      });
    }
  });

  it("GET /customer/:customerId lists that customer's orders, newest first, as summaries with pagination", async () => {
    const res = await internal('/customer/c-alice?limit=2');

    expect(res.status).toBe(200);
    expect(res.body.data.customerId).toBe('c-alice');
    expect(res.body.data.orders.map((o: { orderId: string }) => o.orderId)).toEqual([alices[2], alices[1]]);
    expect(res.body.data.orders[0]).toEqual({
      orderId: alices[2],
      orderDate: expect.any(String),
      status: 'Placed',
      totalAmount: 250,
      itemCount: 1,
      shipment: null,
      deliveryAddress: { city: 'Bangalore', state: 'Karnataka' },
    });
    expect(res.body.data.pagination).toEqual({
      currentPage: 1,
      totalPages: 2,
      totalItems: 3,
      itemsPerPage: 2,
      hasNextPage: true,
      hasPreviousPage: false,
    });
    const bob = await internal('/customer/c-bob');
    expect(bob.body.data.orders.map((o: { orderId: string }) => o.orderId)).toEqual([bobs]);
  });

  it('GET /customer/:customerId/count counts every order, sums the value of those not cancelled and gives the latest order date', async () => {
    const latest = await Order.findOne({ orderId: alices[2] }).lean();

    const res = await internal('/customer/c-alice/count');

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      customerId: 'c-alice',
      orderCount: 3,
      totalValue: 5770,
      lastOrderDate: latest!.orderDate.toISOString(),
    });
  });

  it('a customer without orders has a count of zero and no last order date', async () => {
    const res = await internal('/customer/c-nobody/count');

    expect(res.body.data).toEqual({ customerId: 'c-nobody', orderCount: 0, totalValue: 0, lastOrderDate: null });
    expect((await internal('/customer/c-nobody')).body.data.orders).toEqual([]);
  });

  it('refuses unknown query fields', async () => {
    expect((await internal('/customer/c-alice?where=1')).status).toBe(400);
  });
});
