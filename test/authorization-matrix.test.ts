import request from 'supertest';
import { operations, type Operation } from '../src/api/openapi/operations';
import { FeedEntry, WebhookDelivery } from '../src/models';
import { addDeadLetter } from '../src/queues/dead-letter';
import { sequenceEvents } from '../src/services/events/sequence-events';
import { createExport, runExport } from '../src/services/exports/order-exports';
import { errorEnvelope } from '../src/api/openapi/responses';
import { guideOrderBody } from './helpers/fixtures';
import { REJECT, returnBody } from './helpers/driver';
import { eventually, useTestApp } from './helpers/test-app';
import { as, users } from './helpers/tokens';

const t = useTestApp();

const CALLERS = ['nobody', 'alice', 'bob', 'admin', 'service'] as const;
const ADMIN = { userId: users.admin._id, role: 'Administrator' } as const;
type Caller = (typeof CALLERS)[number];

function headersOf(caller: Caller): Record<string, string> {
  if (caller === 'nobody') return {};
  if (caller === 'service') return { 'x-service-api-key': process.env.SERVICE_API_KEY as string };
  return as(caller);
}

/**
 * Every operation × every kind of caller → the status it must answer. Alice owns the
 * orders and returns used; Bob is another customer; `service` sends only the service key.
 */
const MATRIX: Record<string, [nobody: number, alice: number, bob: number, admin: number, service: number]> = {
  'get /health': [200, 200, 200, 200, 200],
  'get /ready': [200, 200, 200, 200, 200],
  'post /api/orders': [401, 201, 201, 201, 401],
  'get /api/orders/me': [401, 200, 200, 200, 401],
  'get /api/orders/:orderId': [401, 200, 403, 200, 401],
  'post /api/orders/:orderId/cancel': [401, 200, 403, 200, 401],
  'get /api/orders/:orderId/history': [401, 200, 403, 200, 401],
  'post /api/orders/:orderId/return': [401, 200, 403, 200, 401],
  'get /api/orders': [401, 403, 403, 200, 401],
  'get /api/orders/search': [401, 403, 403, 200, 401],
  'put /api/orders/:orderId': [401, 403, 403, 200, 401],
  'put /api/orders/:orderId/shipment': [401, 403, 403, 200, 401],
  'get /api/orders/attention': [401, 403, 403, 200, 401],
  'post /api/orders/bulk/status': [401, 403, 403, 202, 401],
  'get /api/orders/bulk/:bulkId': [401, 403, 403, 200, 401],
  'post /api/orders/exports': [401, 403, 403, 202, 401],
  'get /api/orders/exports/:exportId': [401, 403, 403, 200, 401],
  'get /api/orders/exports/:exportId/download': [401, 403, 403, 200, 401],
  'patch /api/orders/:orderId/status': [401, 403, 403, 200, 401],
  'delete /api/orders/:orderId': [401, 403, 403, 200, 401],
  'get /api/orders/returns': [401, 403, 403, 200, 401],
  'patch /api/orders/returns/:returnId/review': [401, 403, 403, 200, 401],
  'get /api/orders/analytics': [401, 403, 403, 200, 401],
  'get /api/orders/dead-letters': [401, 403, 403, 200, 401],
  'get /api/orders/dead-letters/:id': [401, 403, 403, 200, 401],
  'post /api/orders/dead-letters/:id/replay': [401, 403, 403, 200, 401],
  'post /api/orders/webhooks': [401, 403, 403, 201, 401],
  'get /api/orders/webhooks': [401, 403, 403, 200, 401],
  'get /api/orders/webhooks/:webhookId': [401, 403, 403, 200, 401],
  'patch /api/orders/webhooks/:webhookId': [401, 403, 403, 200, 401],
  'delete /api/orders/webhooks/:webhookId': [401, 403, 403, 200, 401],
  'post /api/orders/webhooks/:webhookId/test': [401, 403, 403, 202, 401],
  'post /api/orders/webhooks/:webhookId/rotate-secret': [401, 403, 403, 200, 401],
  'get /api/orders/webhooks/:webhookId/deliveries': [401, 403, 403, 200, 401],
  'post /api/orders/webhooks/:webhookId/deliveries/:deliveryId/redeliver': [401, 403, 403, 202, 401],
  'get /api/orders/events': [401, 403, 403, 200, 200],
  'get /api/orders/internal/customer/:customerId': [401, 401, 401, 401, 200],
  'get /api/orders/internal/customer/:customerId/count': [401, 401, 401, 401, 200],
};

interface Call {
  path: string;
  body?: object;
}

/** A request each operation can succeed with, on fresh data where the operation changes it. */
const ARRANGE: Record<string, () => Promise<Call>> = {
  'get /health': async () => ({ path: '/health' }),
  'get /ready': async () => ({ path: '/ready' }),
  'post /api/orders': async () => ({ path: '/api/orders', body: guideOrderBody() }),
  'get /api/orders/me': async () => ({ path: '/api/orders/me?limit=5' }),
  'get /api/orders/:orderId': async () => ({ path: `/api/orders/${await t.as('alice').placeOrder()}` }),
  'post /api/orders/:orderId/cancel': async () => ({
    path: `/api/orders/${await t.as('alice').placeOrder()}/cancel`,
    body: { reason: 'Ordered the wrong size by mistake' },
  }),
  'get /api/orders/:orderId/history': async () => ({ path: `/api/orders/${await t.as('alice').placeOrder()}/history` }),
  'post /api/orders/:orderId/return': async () => {
    const o = await t.as('alice').deliveredOrder();
    return { path: `/api/orders/${o.orderId}/return`, body: returnBody(o) };
  },
  'get /api/orders': async () => ({ path: '/api/orders?status=Placed&limit=5' }),
  'get /api/orders/search': async () => ({ path: '/api/orders/search?q=alice' }),
  'put /api/orders/:orderId': async () => ({
    path: `/api/orders/${await t.as('alice').placeOrder()}`,
    body: { notes: 'Leave with the neighbour' },
  }),
  'get /api/orders/attention': async () => ({ path: '/api/orders/attention?limit=5' }),
  'post /api/orders/bulk/status': async () => ({
    path: '/api/orders/bulk/status',
    body: { orderIds: [await t.as('alice').placeOrder()], status: 'Processing' },
  }),
  'get /api/orders/bulk/:bulkId': async () => {
    const res = await request(t.app)
      .post('/api/orders/bulk/status')
      .set(as('admin'))
      .send({ orderIds: [await t.as('alice').placeOrder()], status: 'Processing' });
    return { path: `/api/orders/bulk/${res.body.data.bulkId}` };
  },
  'post /api/orders/exports': async () => ({ path: '/api/orders/exports', body: { format: 'csv', status: 'Placed' } }),
  'get /api/orders/exports/:exportId': async () => ({
    path: `/api/orders/exports/${(await createExport(ADMIN, { format: 'csv' }, t.services.settings))._id}`,
  }),
  'get /api/orders/exports/:exportId/download': async () => {
    await t.as('alice').placeOrder();
    const made = await createExport(ADMIN, { format: 'csv' }, t.services.settings);
    await runExport(made._id, async () => undefined, t.services.settings);
    return { path: `/api/orders/exports/${made._id}/download` };
  },
  'put /api/orders/:orderId/shipment': async () => {
    const orderId = await t.as('alice').placeOrder();
    await t.as('admin').move(orderId, 'Processing', 'Shipped');
    return { path: `/api/orders/${orderId}/shipment`, body: { carrier: 'Blue Dart', trackingNumber: 'BD-1234567' } };
  },
  'patch /api/orders/:orderId/status': async () => ({
    path: `/api/orders/${await t.as('alice').placeOrder()}/status`,
    body: { status: 'Processing' },
  }),
  'delete /api/orders/:orderId': async () => ({ path: `/api/orders/${await t.as('alice').placeOrder()}` }),
  'get /api/orders/returns': async () => ({ path: '/api/orders/returns?limit=5' }),
  'patch /api/orders/returns/:returnId/review': async () => ({
    path: `/api/orders/returns/${(await t.as('alice').openReturn()).returnId}/review`,
    body: REJECT,
  }),
  'get /api/orders/analytics': async () => ({ path: '/api/orders/analytics?from=2026-01-01' }),
  'get /api/orders/dead-letters': async () => ({ path: '/api/orders/dead-letters' }),
  'get /api/orders/dead-letters/:id': async () => ({ path: `/api/orders/dead-letters/${await deadLetter()}` }),
  'post /api/orders/dead-letters/:id/replay': async () => ({
    path: `/api/orders/dead-letters/${await deadLetter()}/replay`,
  }),
  'post /api/orders/webhooks': async () => ({
    path: '/api/orders/webhooks',
    body: { url: HOOK, events: ['order.created', 'order.cancelled'], description: 'Matrix' },
  }),
  'get /api/orders/webhooks': async () => {
    await webhook();
    return { path: '/api/orders/webhooks' };
  },
  'get /api/orders/webhooks/:webhookId': async () => ({ path: `/api/orders/webhooks/${await webhook()}` }),
  'patch /api/orders/webhooks/:webhookId': async () => ({
    path: `/api/orders/webhooks/${await webhook()}`,
    body: { active: false, description: 'Paused by the matrix' },
  }),
  'delete /api/orders/webhooks/:webhookId': async () => ({ path: `/api/orders/webhooks/${await webhook()}` }),
  'post /api/orders/webhooks/:webhookId/test': async () => ({ path: `/api/orders/webhooks/${await webhook()}/test` }),
  'post /api/orders/webhooks/:webhookId/rotate-secret': async () => ({
    path: `/api/orders/webhooks/${await webhook()}/rotate-secret`,
  }),
  'get /api/orders/webhooks/:webhookId/deliveries': async () => {
    const { webhookId } = await ping();
    return { path: `/api/orders/webhooks/${webhookId}/deliveries?status=pending&limit=5` };
  },
  'post /api/orders/webhooks/:webhookId/deliveries/:deliveryId/redeliver': async () => {
    const { webhookId, deliveryId } = await ping();
    // No worker runs here, so the ping stays pending; it is given the outcome a worker would have written.
    await WebhookDelivery.updateOne(
      { _id: deliveryId },
      {
        $set: { status: 'dead', attempts: 4, lastError: 'connect ECONNREFUSED 127.0.0.1:9', lastAttemptAt: new Date() },
      },
    );
    return { path: `/api/orders/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver` };
  },
  'get /api/orders/events': async () => {
    await t.as('alice').placeOrder();
    // The upkeep worker places recorded events in the feed; none runs here, so this does what it would.
    await eventually(
      async () => (await sequenceEvents()) > 0 || (await FeedEntry.exists({})),
      5000,
      'an event in the feed',
    );
    return { path: '/api/orders/events?limit=50' };
  },
  'get /api/orders/internal/customer/:customerId': async () => ({
    path: `/api/orders/internal/customer/${users.alice.customerId}`,
  }),
  'get /api/orders/internal/customer/:customerId/count': async () => ({
    path: `/api/orders/internal/customer/${users.alice.customerId}/count`,
  }),
};

let letters = 0;
/** A job of the emails queue that failed for good, parked in dead-letter. */
async function deadLetter(): Promise<string> {
  letters += 1;
  return addDeadLetter(t.queues['dead-letter'], {
    queue: 'emails',
    jobId: `matrix-${letters}`,
    name: 'order.created',
    data: { eventId: `matrix-${letters}` },
    failedReason: 'SMTP 550 mailbox unavailable',
    attemptsMade: 6,
    createdAt: Date.now() - 60_000,
    processedAt: Date.now() - 30_000,
    failedAt: Date.now(),
  });
}

/** Loopback is allowed in tests (WEBHOOK_ALLOW_PRIVATE_URLS); nothing listens on port 9, and no worker delivers here. */
const HOOK = 'http://127.0.0.1:9/hook';

/** A fresh subscription, made by the desk through the API. */
async function webhook(): Promise<string> {
  return (await t.as('admin').subscribe(HOOK)).webhookId;
}

/** A fresh subscription with one delivery in its log: a ping, queued through the API. */
async function ping(): Promise<{ webhookId: string; deliveryId: string }> {
  const webhookId = await webhook();
  const res = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(as('admin'));
  if (res.status !== 202) throw new Error(`pinging ${webhookId} answered ${res.status}: ${res.text}`);
  return { webhookId, deliveryId: res.body.data.deliveryId as string };
}

const keyOf = (op: Operation) => `${op.method} ${op.path}`;

describe('the authorization matrix', () => {
  it('has a row for every documented operation, and no row for an undocumented one', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(operations.map(keyOf).sort());
    expect(Object.keys(ARRANGE).sort()).toEqual(operations.map(keyOf).sort());
  });

  const cases = operations.flatMap((op) =>
    CALLERS.map((caller, i) => [keyOf(op), caller, MATRIX[keyOf(op)]?.[i]] as const),
  );

  it.each(cases)('%s as %s answers %i, in its documented shape', async (key, caller, expected) => {
    const op = operations.find((o) => keyOf(o) === key) as Operation;
    const call = await ARRANGE[key]();

    let req = request(t.app)[op.method](call.path).set(headersOf(caller));
    if (call.body) req = req.send(call.body);
    const res = await req;

    expect(res.status).toBe(expected);
    if (res.status < 300 && op.success.mediaType) {
      expect(res.headers['content-type']).toContain(op.success.mediaType);
      expect(op.success.data.safeParse(res.text).success).toBe(true);
    } else if (res.status < 300) {
      expect(res.body.success).toBe(true);
      const shape = op.success.data.safeParse(res.body.data);
      expect(shape.success ? 'matches the documented response' : shape.error.issues).toBe(
        'matches the documented response',
      );
    } else {
      expect(errorEnvelope.safeParse(res.body).success).toBe(true);
    }
  });
});
