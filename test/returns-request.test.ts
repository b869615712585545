import request from 'supertest';
import { Order, OrderHistory, OrderItem, ReturnRequest } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { returnBody } from './helpers/driver';
import { useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';

const t = useTestApp();

const deliveredOrder = (user: TestUser = 'alice') => t.as(user).deliveredOrder();
const openReturn = (user: TestUser = 'alice') => t.as(user).openReturn();
const requestReturn = (orderId: string, body: object, user: TestUser = 'alice') =>
  request(t.app).post(`/api/orders/${orderId}/return`).set(as(user)).send(body);
const statusOf = async (orderId: string) => (await Order.findOne({ orderId }).lean())?.status;

describe('POST /api/orders/:orderId/return (guide 4.5)', () => {
  it('accepts a return of both headphones of a delivered order and answers the guide 4.5 body', async () => {
    const o = await deliveredOrder();

    const res = await requestReturn(o.orderId, returnBody(o));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      message: 'Return request submitted successfully',
      data: {
        orderId: o.orderId,
        status: 'Pending',
        reason: 'Product damaged during shipping',
        reasonCategory: 'Damaged',
        items: [{ productName: 'Wireless Headphones', quantity: 2 }],
      },
    });
    expect(res.body.data.returnId).toMatch(new RegExp(`^RET-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(new Date(res.body.data.requestedAt).toISOString()).toBe(res.body.data.requestedAt);
  });

  it('moves the order to Return Requested, marks the item and records the request with a Pending refund', async () => {
    const o = await deliveredOrder();

    const res = await requestReturn(o.orderId, returnBody(o));

    const order = await Order.findOne({ orderId: o.orderId }).lean();
    expect(order).toMatchObject({
      status: 'Return Requested',
      returnReason: 'Product damaged during shipping',
      returnRequestedBy: users.alice._id,
      returnApproved: null,
    });
    expect(order?.returnRequestedAt?.toISOString()).toBe(res.body.data.requestedAt);
    const [headphones, cable] = await OrderItem.find({ orderIdString: o.orderId }).sort({ _id: 1 }).lean();
    expect(headphones).toMatchObject({
      returnRequested: true,
      returnQuantity: 2,
      returnReason: 'Both units damaged',
      returnId: res.body.data.returnId,
    });
    expect(cable).toMatchObject({ returnRequested: false, returnQuantity: 0 });
    const stored = await ReturnRequest.findOne({ returnId: res.body.data.returnId }).lean();
    expect(stored).toMatchObject({
      status: 'Pending',
      refundStatus: 'Pending',
      userId: users.alice._id,
      requestedBy: 'Alice Doe',
      pendingStep: null,
      orderIdString: o.orderId,
    });
  });

  it('writes a Delivered → Return Requested history row and queues return.requested with the return id', async () => {
    const o = await deliveredOrder();

    const res = await requestReturn(o.orderId, returnBody(o));

    const row = await OrderHistory.findOne({ orderIdString: o.orderId, newStatus: 'Return Requested' }).lean();
    expect(row).toMatchObject({
      previousStatus: 'Delivered',
      changedBy: users.alice._id,
      notes: 'Product damaged during shipping',
    });
    for (const q of [t.queues.emails, t.queues.analytics]) {
      const job = await q.getJob(row!.eventId);
      expect(job?.data).toMatchObject({
        type: 'return.requested',
        orderId: o.orderId,
        returnId: res.body.data.returnId,
      });
    }
  });

  it('refuses to return 3 of the 2 headphones ordered, and changes nothing', async () => {
    const o = await deliveredOrder();

    const res = await requestReturn(o.orderId, returnBody(o, 3));

    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.errors).toEqual([
      { field: 'items.0.quantity', message: 'Must be at most 2, the quantity that can still be returned' },
    ]);
    expect(await statusOf(o.orderId)).toBe('Delivered');
    expect(await ReturnRequest.countDocuments({ orderIdString: o.orderId })).toBe(0);
  });

  it('refuses an item of another order', async () => {
    const mine = await deliveredOrder();
    const other = await deliveredOrder();

    const res = await requestReturn(mine.orderId, {
      ...returnBody(mine),
      items: [{ orderItemId: other.headphones, quantity: 1 }],
    });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'items.0.orderItemId', message: 'Is not an item of this order' }]);
  });

  it('refuses a second return while the first is open', async () => {
    const o = await openReturn();

    const res = await requestReturn(o.orderId, { ...returnBody(o, 1), items: [{ orderItemId: o.cable, quantity: 1 }] });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      message: 'Cannot request return',
      errors: [{ field: 'status', message: 'A return request is already open for this order' }],
    });
    expect(await ReturnRequest.countDocuments({ orderIdString: o.orderId })).toBe(1);
  });

  it('answers 403 to another customer and leaves the order as it was', async () => {
    const o = await deliveredOrder('alice');

    const res = await requestReturn(o.orderId, returnBody(o), 'bob');

    expect(res.status).toBe(403);
    expect(res.body.errors).toEqual([{ field: 'authorization', message: 'You can only access your own orders' }]);
    expect(await statusOf(o.orderId)).toBe('Delivered');
  });

  it("lets an administrator request a return on the customer's behalf", async () => {
    const o = await deliveredOrder('alice');

    const res = await requestReturn(o.orderId, returnBody(o), 'admin');

    expect(res.status).toBe(200);
    expect(await ReturnRequest.findOne({ returnId: res.body.data.returnId }).lean()).toMatchObject({
      userId: users.alice._id,
      requestedBy: 'Order Desk',
    });
  });

  it("refuses a return for an order that is not delivered with the guide's message", async () => {
    const orderId = await t.as('alice').placeOrder(guideOrderBody());
    const item = await OrderItem.findOne({ orderIdString: orderId }).lean();

    const res = await requestReturn(orderId, {
      reason: 'Product damaged during shipping',
      reasonCategory: 'Damaged',
      items: [{ orderItemId: item!._id.toHexString(), quantity: 1 }],
    });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: 'Cannot request return',
      errors: [{ field: 'status', message: "Returns can only be requested for 'Delivered' orders" }],
    });
  });

  it('refuses a short reason, an unknown category, no items and unknown fields, each by field', async () => {
    const o = await deliveredOrder();

    const res = await requestReturn(o.orderId, { reason: 'broken', reasonCategory: 'Bored', items: [], $where: '1' });
    const res2 = await requestReturn(o.orderId, { ...returnBody(o), refund: 'all' });

    expect(res.status).toBe(400);
    expect(res2.status).toBe(400);
    expect(res2.body.errors).toEqual([{ field: 'refund', message: 'Unknown field' }]);
    const res3 = await requestReturn(o.orderId, { reason: 'broken', reasonCategory: 'Bored', items: [] });
    expect(res3.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'items',
      'reason',
      'reasonCategory',
    ]);
    expect(await statusOf(o.orderId)).toBe('Delivered');
  });

  it('replays the first answer to a repeat with the same Idempotency-Key and records one return', async () => {
    const o = await deliveredOrder();
    const key = `ret-${o.orderId}`;

    const first = await requestReturn(o.orderId, returnBody(o)).set('Idempotency-Key', key);
    const again = await requestReturn(o.orderId, returnBody(o)).set('Idempotency-Key', key);

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await ReturnRequest.countDocuments({ orderIdString: o.orderId })).toBe(1);
  });
});
