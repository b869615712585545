import request from 'supertest';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { startWebhookReceiver, verifyOrmsSignature, type WebhookReceiver } from './helpers/webhook-receiver';

const t = useTestApp({ workers: ['webhooks', 'upkeep'] });
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t.onClose(() => receiver.close());
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.answerOtherwise({ status: 200 });
});

const deliveriesOf = (webhookId: string, query = '') => request(t.app).get(`/api/orders/webhooks/${webhookId}/deliveries${query}`).set(as('admin'));
const receivedFor = (webhookId: string, n: number, what: string) =>
  eventually(async () => {
    const got = receiver.received.filter((r) => r.body.data?.webhookId === webhookId || r.headers['orms-delivery-id']);
    return got.length >= n ? got : null;
  }, 10_000, what);

describe('webhooks', () => {
  it('posts each event of an order, signed with the subscription secret, with the documented headers and body', async () => {
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);

    const orderId = await t.as('alice').placeOrder();
    await t.as('admin').move(orderId, 'Processing');

    const got = await receivedFor(webhookId, 2, 'two deliveries');
    const byType = Object.fromEntries(got.map((r) => [r.body.type, r]));
    expect(Object.keys(byType).sort()).toEqual(['order.created', 'order.status_changed']);
    for (const r of got) {
      expect(verifyOrmsSignature(r.rawBody, r.signature, secret)).toBe(true);
      expect(r.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'ORMS-Webhooks/1', 'orms-event-id': r.body.id, 'orms-event-type': r.body.type });
      expect(r.headers['orms-delivery-id']).toMatch(/^dlv_[0-9a-f]{32}$/);
    }
    expect(byType['order.status_changed'].body.data).toMatchObject({ orderId, status: 'Processing', previousStatus: 'Placed', customerId: expect.any(String), return: null });
    expect(JSON.stringify(byType['order.created'].body)).not.toMatch(/street|city|email|name/i);
    const log = await eventually(async () => {
      const res = await deliveriesOf(webhookId, '?status=delivered');
      return res.body.data.deliveries.length === 2 ? res : null;
    }, 5000, 'the log to say delivered');
    expect(log.body.data.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null });
  });
});
