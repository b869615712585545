import request from 'supertest';
import { Order, OrderHistory, OrderItem, ReturnRequest } from '../src/models';
import { APPROVE, REJECT, returnBody, type DeliveredOrder } from './helpers/driver';
import { useTestApp } from './helpers/test-app';
import { as, users, type TestUser } from './helpers/tokens';

const t = useTestApp();

const deliveredOrder = (user: TestUser = 'alice') => t.as(user).deliveredOrder();
const openReturn = (user: TestUser = 'alice') => t.as(user).openReturn();
const requestReturn = (orderId: string, body: object, user: TestUser = 'alice') =>
  request(t.app).post(`/api/orders/${orderId}/return`).set(as(user)).send(body);
const review = (returnId: string, body: object, user: TestUser = 'admin') =>
  request(t.app).patch(`/api/orders/returns/${returnId}/review`).set(as(user)).send(body);
const setStatus = (orderId: string, status: string) =>
  request(t.app).patch(`/api/orders/${orderId}/status`).set(as('admin')).send({ status });
const statusOf = async (orderId: string) => (await Order.findOne({ orderId }).lean())?.status;

describe('PATCH /api/orders/returns/:returnId/review (guide 4.7)', () => {
  it('refuses approval notes shorter than 10 characters', async () => {
    const o = await openReturn();

    const res = await review(o.returnId, { ...APPROVE, approvalNotes: 'ok' });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'approvalNotes', message: 'Must be at least 10 characters' }]);
  });

  it('refuses an approval without a refund amount', async () => {
    const o = await openReturn();

    const res = await review(o.returnId, {
      decision: 'approved',
      approvalNotes: 'Return approved. Refund to be processed.',
    });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'refundAmount', message: 'Is required when the decision is approved' }]);
  });

  it('refuses a rejection that names a refund amount, and a decision that is neither', async () => {
    const o = await openReturn();

    const refunded = await review(o.returnId, {
      decision: 'rejected',
      approvalNotes: 'The photos show no damage at all.',
      refundAmount: 10,
    });
    const undecided = await review(o.returnId, {
      decision: 'maybe',
      approvalNotes: 'The photos show no damage at all.',
    });

    expect(refunded.status).toBe(400);
    expect(refunded.body.errors).toEqual([
      { field: 'refundAmount', message: 'Only allowed when the decision is approved' },
    ]);
    expect(undecided.status).toBe(400);
    expect(undecided.body.errors).toEqual([{ field: 'decision', message: "Must be 'approved' or 'rejected'" }]);
  });

  it('refuses with 422 a refund above what the returned items were paid for, and leaves the return pending', async () => {
    const o = await openReturn();

    const res = await review(o.returnId, { ...APPROVE, refundAmount: 4975.01 });

    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: 'refundAmount', message: 'Must be at most 4975.00, what the returned items were paid for' },
    ]);
    expect((await ReturnRequest.findOne({ returnId: o.returnId }).lean())?.status).toBe('Pending');
  });

  it('approves within the refundable value: the guide 4.7 answer, the order still Return Requested and marked approved', async () => {
    const o = await openReturn();

    const res = await review(o.returnId, APPROVE);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      message: 'Return request approved successfully',
      data: {
        returnId: o.returnId,
        orderId: o.orderId,
        status: 'Approved',
        refundAmount: 4975,
        reviewedBy: users.admin._id,
      },
    });
    expect(new Date(res.body.data.reviewedAt).toISOString()).toBe(res.body.data.reviewedAt);
    const order = await Order.findOne({ orderId: o.orderId }).lean();
    expect(order).toMatchObject({
      status: 'Return Requested',
      returnApproved: true,
      returnApprovedBy: users.admin._id,
    });
    const stored = await ReturnRequest.findOne({ returnId: o.returnId }).lean();
    expect(stored).toMatchObject({
      status: 'Approved',
      refundAmount: 497500,
      reviewedByName: 'Order Desk',
      approvalNotes: APPROVE.approvalNotes,
    });
  });

  it('queues return.reviewed with the return id for emails, analytics and refunds, without a history row', async () => {
    const o = await openReturn();
    const rowsBefore = await OrderHistory.countDocuments({ orderIdString: o.orderId });

    await review(o.returnId, APPROVE);

    const refundsJobs = await t.queues.refunds.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    const job = refundsJobs.find((j) => j.data.returnId === o.returnId);
    expect(job?.data).toMatchObject({ type: 'return.reviewed', orderId: o.orderId, newStatus: null });
    expect(await t.queues.emails.getJob(job!.id!)).toBeDefined();
    expect(await t.queues.analytics.getJob(job!.id!)).toBeDefined();
    expect(await OrderHistory.countDocuments({ orderIdString: o.orderId })).toBe(rowsBefore);
  });

  it('refuses a second review of the same return', async () => {
    const o = await openReturn();
    await review(o.returnId, APPROVE);

    const res = await review(o.returnId, REJECT);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      message: 'Cannot review return request',
      errors: [{ field: 'status', message: 'This return request has already been reviewed. Current status: Approved' }],
    });
    expect((await ReturnRequest.findOne({ returnId: o.returnId }).lean())?.status).toBe('Approved');
  });

  it('on rejection sends the order back to Delivered, frees its items and writes the history row', async () => {
    const o = await openReturn();

    const res = await review(o.returnId, REJECT);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      message: 'Return request rejected successfully',
      data: { status: 'Rejected', refundAmount: null },
    });
    expect(await Order.findOne({ orderId: o.orderId }).lean()).toMatchObject({
      status: 'Delivered',
      returnApproved: false,
    });
    expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({
      returnRequested: false,
      returnQuantity: 0,
      returnId: null,
    });
    const row = await OrderHistory.findOne({ orderIdString: o.orderId, previousStatus: 'Return Requested' }).lean();
    expect(row).toMatchObject({ newStatus: 'Delivered', changedBy: users.admin._id, notes: REJECT.approvalNotes });
  });

  it('after a rejection the customer may ask again, and the new request starts unreviewed', async () => {
    const o = await openReturn();
    await review(o.returnId, REJECT);

    const res = await requestReturn(o.orderId, returnBody(o, 1));

    expect(res.status).toBe(200);
    expect(res.body.data.returnId).not.toBe(o.returnId);
    expect(await Order.findOne({ orderId: o.orderId }).lean()).toMatchObject({
      status: 'Return Requested',
      returnApproved: null,
    });
    expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({
      returnRequested: true,
      returnQuantity: 1,
      returnId: res.body.data.returnId,
    });
  });

  it('answers 404 for an unknown return and 403 to a customer', async () => {
    const o = await openReturn();

    const unknown = await review('RET-2026-999999', APPROVE);
    const customer = await review(o.returnId, APPROVE, 'alice');

    expect(unknown.status).toBe(404);
    expect(customer.status).toBe(403);
    expect((await ReturnRequest.findOne({ returnId: o.returnId }).lean())?.status).toBe('Pending');
  });
});

describe('completing a return with PATCH /api/orders/:orderId/status to Returned', () => {
  it('after approval completes the return, records the returned items and writes one history row', async () => {
    const o = await openReturn();
    await review(o.returnId, APPROVE);

    const res = await setStatus(o.orderId, 'Returned');

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      orderId: o.orderId,
      previousStatus: 'Return Requested',
      newStatus: 'Returned',
      updatedBy: users.admin._id,
    });
    const stored = await ReturnRequest.findOne({ returnId: o.returnId }).lean();
    expect(stored).toMatchObject({ status: 'Completed', pendingStep: null });
    expect(stored?.completedAt).toBeInstanceOf(Date);
    expect(await OrderItem.findById(o.headphones).lean()).toMatchObject({ returnedQuantity: 2 });
    expect(await OrderItem.findById(o.cable).lean()).toMatchObject({ returnedQuantity: 0 });
    const rows = await OrderHistory.find({ orderIdString: o.orderId, newStatus: 'Returned' }).lean();
    expect(rows).toHaveLength(1);
    expect(rows[0].previousStatus).toBe('Return Requested');
    const job = await t.queues.refunds.getJob(rows[0].eventId);
    expect(job?.data).toMatchObject({
      type: 'return.completed',
      returnId: o.returnId,
      previousStatus: 'Return Requested',
      newStatus: 'Returned',
    });
  });

  it("refuses 'Returned' with 422 while the return is only pending", async () => {
    const o = await openReturn();

    const res = await setStatus(o.orderId, 'Returned');

    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: 'status', message: "An order becomes 'Returned' only once its return request has been approved" },
    ]);
    expect((await ReturnRequest.findOne({ returnId: o.returnId }).lean())?.status).toBe('Pending');
  });

  it('refuses to move a Return Requested order back to Delivered other than by rejecting the return', async () => {
    const o = await openReturn();

    const res = await setStatus(o.orderId, 'Delivered');

    expect(res.status).toBe(422);
    expect(await statusOf(o.orderId)).toBe('Return Requested');
  });
});

describe('GET /api/orders/returns', () => {
  let a: DeliveredOrder & { returnId: string };
  let b: DeliveredOrder & { returnId: string };
  beforeAll(async () => {
    await ReturnRequest.deleteMany({});
    a = await openReturn('alice');
    b = await openReturn('bob');
    await review(a.returnId, { ...APPROVE, refundAmount: 100 });
    await review(b.returnId, { ...APPROVE, refundAmount: 200 });
    const c = await deliveredOrder('bob');
    await requestReturn(
      c.orderId,
      {
        reason: 'Not what I ordered at all',
        reasonCategory: 'Wrong Item',
        items: [{ orderItemId: c.cable, quantity: 1 }],
      },
      'bob',
    );
  });
  const list = (query: string, user: TestUser = 'admin') =>
    request(t.app).get(`/api/orders/returns${query}`).set(as(user));
  const ids = (res: request.Response) => res.body.data.returns.map((r: { returnId: string }) => r.returnId);

  it('lists every return newest first with the pagination of guide 4.2', async () => {
    const res = await list('?limit=2');

    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Return requests retrieved successfully');
    expect(res.body.data.returns).toHaveLength(2);
    expect(res.body.data.returns[1]).toMatchObject({
      returnId: b.returnId,
      orderId: b.orderId,
      status: 'Approved',
      refundAmount: 200,
      reasonCategory: 'Damaged',
    });
    expect(res.body.data.pagination).toEqual({
      currentPage: 1,
      totalPages: 2,
      totalItems: 3,
      itemsPerPage: 2,
      hasNextPage: true,
      hasPreviousPage: false,
    });
  });

  it('filters by status, reason category and order id', async () => {
    expect((await list('?status=Approved')).body.data.pagination.totalItems).toBe(2);
    expect(ids(await list('?reasonCategory=Wrong%20Item'))).toHaveLength(1);
    expect(ids(await list(`?orderId=${a.orderId}`))).toEqual([a.returnId]);
  });

  it('filters by the date of the request', async () => {
    const today = new Date().toISOString().slice(0, 10);

    expect(ids(await list(`?from=${today}&to=${today}`))).toHaveLength(3);
    expect(ids(await list('?to=2020-01-01'))).toHaveLength(0);
  });

  it('sorts by refund amount in either direction', async () => {
    expect(ids(await list('?status=Approved&sortBy=refundAmount&sortOrder=asc'))).toEqual([a.returnId, b.returnId]);
    expect(ids(await list('?status=Approved&sortBy=refundAmount&sortOrder=desc'))).toEqual([b.returnId, a.returnId]);
  });

  it('refuses unknown filters and a range that ends before it starts, and answers 403 to a customer', async () => {
    expect((await list('?colour=red')).status).toBe(400);
    expect((await list('?from=2026-02-01&to=2026-01-01')).body.errors).toEqual([
      { field: 'to', message: 'Must not be less than from' },
    ]);
    expect((await list('', 'alice')).status).toBe(403);
  });
});
