import request from 'supertest';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import {
  startWebhookReceiver,
  verifyOrmsSignature,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './helpers/webhook-receiver';

/**
 * Receivers verify deliveries with the official Standard Webhooks library
 * (https://www.standardwebhooks.com), as they would in any language, and the Stripe-style
 * ORMS-Signature keeps verifying as before: both on real deliveries made by the worker.
 */
const t = useTestApp({ workers: ['webhooks'] });
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t.onClose(() => receiver.close());
});

const admin = () => as('admin');
async function pinged(webhookId: string): Promise<ReceivedWebhook> {
  const res = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(admin());
  expect(res.status).toBe(202);
  const deliveryId: string = res.body.data.deliveryId;
  return eventually(
    async () => receiver.received.find((r) => r.headers['orms-delivery-id'] === deliveryId),
    10_000,
    `delivery ${deliveryId}`,
  );
}
/** What the library verifies, or the error it throws. */
function standardVerdict(secret: string, delivery: ReceivedWebhook): unknown {
  const h = delivery.headers;
  try {
    return new StandardWebhook(secret).verify(delivery.rawBody, {
      'webhook-id': String(h['webhook-id']),
      'webhook-timestamp': String(h['webhook-timestamp']),
      'webhook-signature': String(h['webhook-signature']),
    });
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe('Standard Webhooks', () => {
  it('gives a secret in the specification’s form, and every delivery verifies with the official library and with ORMS-Signature', async () => {
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);

    const delivery = await pinged(webhookId);

    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(delivery.headers['webhook-id']).toBe(delivery.headers['orms-delivery-id']);
    expect(Number(delivery.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    expect(standardVerdict(secret, delivery)).toEqual(JSON.parse(delivery.rawBody));
    expect(verifyOrmsSignature(delivery.rawBody, delivery.signature, secret)).toBe(true);
  });

  it('is refused by the library with another secret or an altered body', async () => {
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);
    const { secret: other } = await t.as('admin').subscribe(receiver.url);

    const delivery = await pinged(webhookId);

    expect(standardVerdict(other, delivery)).toBe('No matching signature found');
    expect(
      standardVerdict(secret, { ...delivery, rawBody: delivery.rawBody.replace('"ping"', '"order.created"') }),
    ).toBe('No matching signature found');
  });

  it('during a rotation signs with both secrets, space-separated, so a receiver on either verifies', async () => {
    const { webhookId, secret: old } = await t.as('admin').subscribe(receiver.url);
    const rotated = await request(t.app).post(`/api/orders/webhooks/${webhookId}/rotate-secret`).set(admin());
    const current: string = rotated.body.data.secret;

    const delivery = await pinged(webhookId);

    expect(String(delivery.headers['webhook-signature']).split(' ')).toEqual([
      expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
    ]);
    expect(standardVerdict(current, delivery)).toEqual(JSON.parse(delivery.rawBody));
    expect(standardVerdict(old, delivery)).toEqual(JSON.parse(delivery.rawBody));
    expect([
      verifyOrmsSignature(delivery.rawBody, delivery.signature, current),
      verifyOrmsSignature(delivery.rawBody, delivery.signature, old),
    ]).toEqual([true, true]);
  });
});
