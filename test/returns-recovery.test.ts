import request from 'supertest';
import { IdempotencyRecord, Order, OrderHistory, OrderItem, ReturnRequest } from '../src/models';
import { reconcileReturnRequests } from '../src/services/returns/reconcile';
import { listen } from './helpers/orders';
import { APPROVE, REJECT, returnBody } from './helpers/driver';
import { useTestApp } from './helpers/test-app';
import { as, users } from './helpers/tokens';

const t = useTestApp();

const aMinuteAgo = () => new Date(Date.now() - 60_000);
const review = (returnId: string, body: object) =>
  request(t.app).patch(`/api/orders/returns/${returnId}/review`).set(as('admin')).send(body);
const listed = async (returnId: string) => {
  const res = await request(t.app).get('/api/orders/returns?limit=50').set(as('admin'));
  return res.body.data.returns.some((r: { returnId: string }) => r.returnId === returnId);
};

describe('a return step a crash left half done (DESIGN.md 3)', () => {
  it('a request written but never committed on the order is invisible, then deleted, and the order fenced', async () => {
    const o = await t.as('alice').deliveredOrder();
    const order = await Order.findOne({ orderId: o.orderId }).lean();
    await ReturnRequest.create({
      returnId: 'RET-2026-900001',
      orderId: order!._id,
      orderIdString: o.orderId,
      userId: users.alice._id,
      requestedBy: 'Alice Doe',
      reason: 'Product damaged during shipping',
      reasonCategory: 'Damaged',
      items: [{ orderItemId: o.headphones, productId: 'PROD-001', productName: 'Wireless Headphones', quantity: 2 }],
      requestedAt: aMinuteAgo(),
      pendingStep: 'request',
      pendingSince: aMinuteAgo(),
    });
    expect(await listed('RET-2026-900001')).toBe(false);
    expect((await review('RET-2026-900001', APPROVE)).status).toBe(404);

    await reconcileReturnRequests();

    expect(await ReturnRequest.countDocuments({ returnId: 'RET-2026-900001' })).toBe(0);
    const after = await Order.findOne({ orderId: o.orderId }).lean();
    expect(after).toMatchObject({ status: 'Delivered', version: order!.version + 1 });
  });

  it('a request committed on the order but not finished gets its item marks and becomes visible', async () => {
    const o = await t.as('alice').openReturn();
    await ReturnRequest.updateOne(
      { returnId: o.returnId },
      { $set: { pendingStep: 'request', pendingSince: aMinuteAgo() } },
    );
    await OrderItem.updateOne(
      { _id: o.headphones },
      { $set: { returnRequested: false, returnQuantity: 0, returnId: null } },
    );

    await reconcileReturnRequests();

    expect(await ReturnRequest.findOne({ returnId: o.returnId }).lean()).toMatchObject({
      pendingStep: null,
      status: 'Pending',
    });
    expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({
      returnRequested: true,
      returnQuantity: 2,
      returnId: o.returnId,
    });
    expect(await listed(o.returnId)).toBe(true);
  });

  it('a review claimed but never committed on the order is undone, and the return can be reviewed again', async () => {
    const o = await t.as('alice').openReturn();
    await ReturnRequest.updateOne(
      { returnId: o.returnId },
      {
        $set: {
          status: 'Approved',
          reviewedBy: users.admin._id,
          reviewedAt: aMinuteAgo(),
          refundAmount: 100,
          approvalNotes: 'never committed',
          pendingStep: 'review',
          pendingSince: aMinuteAgo(),
        },
      },
    );

    await reconcileReturnRequests();

    expect(await ReturnRequest.findOne({ returnId: o.returnId }).lean()).toMatchObject({
      status: 'Pending',
      reviewedBy: null,
      refundAmount: null,
      pendingStep: null,
    });
    expect((await review(o.returnId, REJECT)).status).toBe(200);
  });

  it('a completion committed on the order but not finished records the returned items', async () => {
    const o = await t.as('alice').openReturn();
    await review(o.returnId, APPROVE);
    await request(t.app).patch(`/api/orders/${o.orderId}/status`).set(as('admin')).send({ status: 'Returned' });
    await ReturnRequest.updateOne(
      { returnId: o.returnId },
      { $set: { pendingStep: 'completion', pendingSince: aMinuteAgo() } },
    );
    await OrderItem.updateOne({ _id: o.headphones }, { $set: { returnedQuantity: 0 } });

    await reconcileReturnRequests();

    expect(await ReturnRequest.findOne({ returnId: o.returnId }).lean()).toMatchObject({
      status: 'Completed',
      pendingStep: null,
    });
    expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({ returnedQuantity: 2 });
  });

  it('return requests marked for deletion whose order is gone are deleted', async () => {
    const o = await t.as('alice').openReturn();
    await ReturnRequest.updateOne(
      { returnId: o.returnId },
      { $set: { pendingStep: 'deletion', pendingSince: aMinuteAgo() } },
    );
    await Order.deleteOne({ orderId: o.orderId });

    await reconcileReturnRequests();

    expect(await ReturnRequest.countDocuments({ returnId: o.returnId })).toBe(0);
  });

  it('leaves a step alone while it may still be in flight', async () => {
    const o = await t.as('alice').openReturn();
    await ReturnRequest.updateOne(
      { returnId: o.returnId },
      { $set: { status: 'Approved', reviewedAt: new Date(), pendingStep: 'review', pendingSince: new Date() } },
    );

    await reconcileReturnRequests();

    expect(await ReturnRequest.findOne({ returnId: o.returnId }).lean()).toMatchObject({
      status: 'Approved',
      pendingStep: 'review',
    });
  });

  it('a repeat with the Idempotency-Key of a request that died after its order commit finishes that request instead of making another', async () => {
    const o = await t.as('alice').deliveredOrder();
    const key = `crash-${o.orderId}`;
    const first = await request(t.app)
      .post(`/api/orders/${o.orderId}/return`)
      .set(as('alice'))
      .set('Idempotency-Key', key)
      .send(returnBody(o));
    // As if the process died right after the order commit: request unfinished, key still held.
    await ReturnRequest.updateOne(
      { returnId: first.body.data.returnId },
      { $set: { pendingStep: 'request', pendingSince: new Date() } },
    );
    await OrderItem.updateOne(
      { _id: o.headphones },
      { $set: { returnRequested: false, returnQuantity: 0, returnId: null } },
    );
    await IdempotencyRecord.updateOne(
      { _id: `request-return:${users.alice._id}:${key}` },
      { $set: { state: 'pending', responseBody: null, lockedUntil: aMinuteAgo() } },
    );

    const again = await request(t.app)
      .post(`/api/orders/${o.orderId}/return`)
      .set(as('alice'))
      .set('Idempotency-Key', key)
      .send(returnBody(o));

    expect(again.status).toBe(200);
    expect(again.body.data.returnId).toBe(first.body.data.returnId);
    expect(await ReturnRequest.countDocuments({ orderIdString: o.orderId })).toBe(1);
    expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({ returnRequested: true, returnQuantity: 2 });
  });
});

describe('a new return request after an earlier one was rejected', () => {
  it('waits (409) while finishing the rejection is still in flight', async () => {
    const o = await t.as('alice').openReturn();
    await review(o.returnId, REJECT);
    await ReturnRequest.updateOne(
      { returnId: o.returnId },
      { $set: { pendingStep: 'review', pendingSince: new Date() } },
    );

    const res = await request(t.app).post(`/api/orders/${o.orderId}/return`).set(as('alice')).send(returnBody(o, 1));

    expect(res.status).toBe(409);
    expect(await ReturnRequest.countDocuments({ orderIdString: o.orderId })).toBe(1);
  });

  it('first finishes a rejection a crash left half done, then takes the new request', async () => {
    const o = await t.as('alice').openReturn();
    await review(o.returnId, REJECT);
    await ReturnRequest.updateOne(
      { returnId: o.returnId },
      { $set: { pendingStep: 'review', pendingSince: aMinuteAgo() } },
    );
    await OrderItem.updateOne(
      { _id: o.headphones },
      { $set: { returnRequested: true, returnQuantity: 2, returnId: o.returnId } },
    );

    const res = await request(t.app).post(`/api/orders/${o.orderId}/return`).set(as('alice')).send(returnBody(o, 1));

    expect(res.status).toBe(200);
    expect(await ReturnRequest.findOne({ returnId: o.returnId }).lean()).toMatchObject({
      status: 'Rejected',
      pendingStep: null,
    });
    expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({
      returnRequested: true,
      returnQuantity: 1,
      returnId: res.body.data.returnId,
    });
  });
});

describe('simultaneous return changes', () => {
  it('of simultaneous return requests for one order one wins; the losers leave no return request or item marks', async () => {
    const o = await t.as('alice').deliveredOrder();
    const server = await listen(t.app);
    try {
      const quantities = [1, 2, 1, 2, 1, 2];

      const answers = await Promise.all(
        quantities.map((q) =>
          request(server.server).post(`/api/orders/${o.orderId}/return`).set(as('alice')).send(returnBody(o, q)),
        ),
      );

      const won = answers.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      expect(answers.map((r) => r.status).filter((s) => s !== 200 && s !== 409 && s !== 400)).toEqual([]);
      const rows = await ReturnRequest.find({ orderIdString: o.orderId }).lean();
      expect(rows.map((r) => r.returnId)).toEqual([won[0].body.data.returnId]);
      expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({
        returnId: won[0].body.data.returnId,
        returnQuantity: won[0].body.data.items[0].quantity,
      });
      expect(await OrderHistory.countDocuments({ orderIdString: o.orderId, newStatus: 'Return Requested' })).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('of an approval and a rejection sent together one wins, and the order follows the winner', async () => {
    const o = await t.as('alice').openReturn();
    const server = await listen(t.app);
    try {
      const answers = await Promise.all(
        [APPROVE, REJECT, APPROVE, REJECT].map((body) =>
          request(server.server).patch(`/api/orders/returns/${o.returnId}/review`).set(as('admin')).send(body),
        ),
      );

      const won = answers.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      expect(answers.filter((r) => r.status !== 200).every((r) => r.status === 400 || r.status === 409)).toBe(true);
      const stored = await ReturnRequest.findOne({ returnId: o.returnId }).lean();
      expect(stored?.status).toBe(won[0].body.data.status);
      const order = await Order.findOne({ orderId: o.orderId }).lean();
      expect(order?.status).toBe(stored?.status === 'Approved' ? 'Return Requested' : 'Delivered');
    } finally {
      await server.close();
    }
  });
});
