import request from 'supertest';
import { Order, OrderHistory } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { forceStatus, listen } from './helpers/orders';
import { useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';

const t = useTestApp();

const REASON = 'Changed my mind';
const cancel = (
  orderId: string,
  body: object = { reason: REASON, reasonCategory: 'Customer Request' },
  user: TestUser = 'alice',
) => request(t.app).post(`/api/orders/${orderId}/cancel`).set(as(user)).send(body);
const statusOf = async (orderId: string) => (await Order.findOne({ orderId }).lean())?.status;
const cancelledRows = (orderId: string) =>
  OrderHistory.countDocuments({ orderIdString: orderId, newStatus: 'Cancelled' });

describe('POST /api/orders/:orderId/cancel', () => {
  it('when the owner cancels a Placed order, it answers the guide 4.4 body and the order is Cancelled', async () => {
    const orderId = await t.as('alice').placeOrder(guideOrderBody());
    const before = Date.now();

    const res = await cancel(orderId);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: 'Order cancelled successfully',
      data: {
        orderId,
        status: 'Cancelled',
        cancellationReason: REASON,
        cancelledBy: users.alice._id,
        cancelledAt: expect.any(String),
      },
    });
    const cancelledAt = new Date(res.body.data.cancelledAt);
    expect(cancelledAt.toISOString()).toBe(res.body.data.cancelledAt);
    expect(cancelledAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const stored = await Order.findOne({ orderId }).lean();
    expect(stored).toMatchObject({
      status: 'Cancelled',
      cancellationReason: REASON,
      cancelledBy: users.alice._id,
      updatedBy: users.alice._id,
    });
  });

  it('when an order is cancelled, its order.cancelled event reaches the emails, customer-stats and analytics queues once', async () => {
    const orderId = await t.as('alice').placeOrder();

    await cancel(orderId);

    const row = await OrderHistory.findOne({ orderIdString: orderId, newStatus: 'Cancelled' }).lean();
    expect(row).not.toBeNull();
    for (const q of [t.queues.emails, t.queues['customer-stats'], t.queues.analytics]) {
      const job = await q.getJob(row!.eventId);
      expect(job?.name).toBe('order.cancelled');
      expect(job?.data).toMatchObject({ orderId, previousStatus: 'Placed', newStatus: 'Cancelled' });
    }
    expect((await Order.findOne({ orderId }).lean())?.outbox).toEqual([]);
  });

  it('when a Processing order is cancelled, it answers 200', async () => {
    const orderId = await t.as('alice').placeOrder();
    await forceStatus(orderId, 'Processing');

    const res = await cancel(orderId);

    expect(res.status).toBe(200);
    expect(await statusOf(orderId)).toBe('Cancelled');
    const row = await OrderHistory.findOne({ orderIdString: orderId, newStatus: 'Cancelled' }).lean();
    expect(row?.previousStatus).toBe('Processing');
  });

  it('when the reason has exactly 10 characters, it is accepted', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await cancel(orderId, { reason: 'x'.repeat(10) });

    expect(res.status).toBe(200);
  });

  it.each([
    { what: 'the reason is shorter than 10 characters', body: { reason: 'Too short' }, field: 'reason' },
    { what: 'the reason has fewer than 10 characters once trimmed', body: { reason: '   short   ' }, field: 'reason' },
    { what: 'the reason is longer than 500 characters', body: { reason: 'r'.repeat(501) }, field: 'reason' },
    { what: 'the reason is missing', body: {}, field: 'reason' },
    { what: 'the reason is not a string', body: { reason: 1234567890123 }, field: 'reason' },
    { what: 'the body has an unknown field', body: { reason: REASON, status: 'Placed' }, field: 'status' },
    { what: 'the body has a $ key', body: { reason: REASON, $set: { status: 'Delivered' } }, field: '$set' },
  ])('when $what, it answers 400 naming $field and the order stays Placed', async ({ body, field }) => {
    const orderId = await t.as('alice').placeOrder();

    const res = await cancel(orderId, body);

    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    expect(await statusOf(orderId)).toBe('Placed');
    expect(await cancelledRows(orderId)).toBe(0);
  });

  it("when the order has Shipped, it answers 400 'Cannot cancel order' naming the current status, and the order stays Shipped", async () => {
    const orderId = await t.as('alice').placeOrder();
    await forceStatus(orderId, 'Shipped');

    const res = await cancel(orderId);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: 'Cannot cancel order',
      errors: [
        {
          field: 'status',
          message: "Orders can only be cancelled in 'Placed' or 'Processing' status. Current status: Shipped",
        },
      ],
    });
    const stored = await Order.findOne({ orderId }).lean();
    expect(stored).toMatchObject({ status: 'Shipped', cancellationReason: null, cancelledAt: null });
    expect(await cancelledRows(orderId)).toBe(0);
  });

  it('when the order is already cancelled, a second cancel answers 400 naming status Cancelled and changes nothing', async () => {
    const orderId = await t.as('alice').placeOrder();
    const first = await cancel(orderId);

    const second = await cancel(orderId, { reason: 'A different reason entirely' });

    expect(second.status).toBe(400);
    expect(second.body.message).toBe('Cannot cancel order');
    expect(second.body.errors[0].message).toMatch(/Current status: Cancelled$/);
    const stored = await Order.findOne({ orderId }).lean();
    expect(stored?.cancellationReason).toBe(REASON);
    expect(stored?.cancelledAt?.toISOString()).toBe(first.body.data.cancelledAt);
    expect(await cancelledRows(orderId)).toBe(1);
  });

  it('when another customer cancels the order, it answers 403 and the order stays Placed', async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await cancel(orderId, { reason: REASON }, 'bob');

    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      success: false,
      message: 'Access denied',
      errors: [{ field: 'authorization', message: 'You can only access your own orders' }],
    });
    expect(await statusOf(orderId)).toBe('Placed');
  });

  it("when an administrator cancels a customer's order, it answers 200 and records the administrator", async () => {
    const orderId = await t.as('alice').placeOrder();

    const res = await cancel(orderId, { reason: 'Out of stock at the warehouse' }, 'admin');

    expect(res.status).toBe(200);
    expect(res.body.data.cancelledBy).toBe(users.admin._id);
    const row = await OrderHistory.findOne({ orderIdString: orderId, newStatus: 'Cancelled' }).lean();
    expect(row).toMatchObject({ changedBy: users.admin._id, changedByRole: 'Administrator' });
  });

  it('when the order does not exist, it answers 404 in the envelope', async () => {
    const res = await cancel('ORD-2001-999999');

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, message: 'Order not found' });
  });

  it('when 20 cancels of one order arrive at once, exactly one wins and exactly one Cancelled history row is written', async () => {
    const orderId = await t.as('alice').placeOrder();
    const versionBefore = (await Order.findOne({ orderId }).lean())?.version as number;
    const http = await listen(t.app);

    let responses: { status: number; body: { success: boolean; data?: { cancellationReason: string } } }[];
    try {
      responses = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const res = await fetch(`${http.url}/api/orders/${orderId}/cancel`, {
            method: 'POST',
            headers: { ...as('alice'), 'content-type': 'application/json' },
            body: JSON.stringify({ reason: `Concurrent cancel number ${i}` }),
          });
          return {
            status: res.status,
            body: (await res.json()) as { success: boolean; data?: { cancellationReason: string } },
          };
        }),
      );
    } finally {
      await http.close();
    }

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409 || s === 400)).toBe(true);
    const winner = responses.find((r) => r.status === 200)!;
    const stored = await Order.findOne({ orderId }).lean();
    expect(stored?.status).toBe('Cancelled');
    expect(stored?.cancellationReason).toBe(winner.body.data?.cancellationReason);
    expect(stored?.version).toBe(versionBefore + 1);
    expect(await cancelledRows(orderId)).toBe(1);
    const jobs = (await t.queues.emails.getJobs()).filter(
      (j) => j.data.orderId === orderId && j.name === 'order.cancelled',
    );
    expect(jobs).toHaveLength(1);
  });
});
