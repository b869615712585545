import request from 'supertest';
import { useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';

const t = useTestApp();

const REASON = 'Found it cheaper elsewhere';
const history = (orderId: string, user: TestUser = 'alice') =>
  request(t.app).get(`/api/orders/${orderId}/history`).set(as(user));

describe('GET /api/orders/:orderId/history', () => {
  it('when an order was placed and then cancelled, the very next request answers Placed then Cancelled, oldest first', async () => {
    const orderId = await t.as('alice').placeOrder();
    const cancelled = await request(t.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set(as('alice'))
      .send({ reason: REASON });
    expect(cancelled.status).toBe(200);

    const res = await history(orderId);

    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.orderId).toBe(orderId);
    const rows = res.body.data.history as Record<string, unknown>[];
    expect(rows).toEqual([
      {
        previousStatus: null,
        newStatus: 'Placed',
        changedBy: users.alice._id,
        changedByRole: 'Customer',
        changedByName: 'Alice Doe',
        notes: 'Order placed',
        timestamp: expect.any(String),
      },
      {
        previousStatus: 'Placed',
        newStatus: 'Cancelled',
        changedBy: users.alice._id,
        changedByRole: 'Customer',
        changedByName: 'Alice Doe',
        notes: REASON,
        timestamp: cancelled.body.data.cancelledAt,
      },
    ]);
    const [placedAt, cancelledAt] = rows.map((r) => new Date(r.timestamp as string).getTime());
    expect(placedAt).toBeLessThanOrEqual(cancelledAt);
  });

  it('when an administrator cancels, the row names the administrator and their role', async () => {
    const orderId = await t.as('bob').placeOrder();
    await request(t.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set(as('admin'))
      .send({ reason: 'Payment was declined twice' });

    const res = await history(orderId, 'bob');

    expect(res.body.data.history[1]).toMatchObject({
      newStatus: 'Cancelled',
      changedBy: users.admin._id,
      changedByRole: 'Administrator',
      changedByName: 'Order Desk',
      notes: 'Payment was declined twice',
    });
  });

  it("when another customer asks for the history, it answers 403 with the guide's body", async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await history(orderId, 'bob');

    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      success: false,
      message: 'Access denied',
      errors: [{ field: 'authorization', message: 'You can only access your own orders' }],
    });
  });

  it("when an administrator asks for a customer's history, it answers it", async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await history(orderId, 'admin');

    expect(res.status).toBe(200);
    expect(res.body.data.history.map((h: { newStatus: string }) => h.newStatus)).toEqual(['Placed']);
  });

  it('when the order does not exist, it answers 404 in the envelope', async () => {
    const res = await history('ORD-2001-999999');

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, message: 'Order not found' });
  });

  it('when no token is sent, it answers 401', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await request(t.app).get(`/api/orders/${orderId}/history`);

    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });
});
