import mongoose from 'mongoose';
import request from 'supertest';
import { config } from '../src/config';
import { Webhook } from '../src/models';
import { startApiProcess } from './helpers/api-process';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import {
  startWebhookReceiver,
  verifyOrmsSignature,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './helpers/webhook-receiver';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

/**
 * Webhook secrets are sealed at rest under WEBHOOK_SECRET_KEY (AES-256-GCM): the database
 * holds no secret a copy of it could sign with. Changing the key (the old one moved to
 * WEBHOOK_SECRET_KEY_PREVIOUS) keeps every delivery signed while the upkeep seals each
 * secret again, and a previous secret is removed once its overlap has ended.
 */
jest.setTimeout(60_000);

const t = useTestApp();
let receiver: WebhookReceiver;
const fleet: WorkerProcess[] = [];
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t.onClose(() => receiver.close());
  t.onClose(() => Promise.all(fleet.map((p) => p.kill())));
});

const NEW_KEY = Buffer.alloc(32, 'new webhook secret key, rotated!').toString('base64');
const admin = () => as('admin');
/** The subscription's document as the database holds it, read past the model. */
const rawDocument = (webhookId: string) =>
  mongoose.connection.db!.collection<{ _id: string }>('webhooks').findOne({ _id: webhookId });
/** Worker processes that deliver, and run the maintenance every 300 ms, with these keys. */
async function startWorkers(keys: Record<string, string>): Promise<void> {
  await Promise.all(fleet.splice(0).map((p) => p.kill()));
  fleet.push(
    await startWorkerProcess({ ...peersEnv(t), WORKERS: 'webhooks,upkeep', MAINTENANCE_INTERVAL_MS: '300', ...keys }),
  );
}
async function pinged(webhookId: string): Promise<ReceivedWebhook> {
  const res = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(admin());
  expect(res.status).toBe(202);
  return eventually(
    async () => receiver.received.find((r) => r.headers['orms-delivery-id'] === res.body.data.deliveryId),
    15_000,
    'the ping to arrive',
  );
}

describe('webhook secrets at rest', () => {
  it('are sealed in the database: its document holds neither the secret nor any whsec_, and deliveries are signed with it', async () => {
    await startWorkers({});
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);

    const raw = await rawDocument(webhookId);
    const delivery = await pinged(webhookId);

    expect(JSON.stringify(raw)).not.toContain(secret);
    expect(JSON.stringify(raw)).not.toContain(secret.slice('whsec_'.length, 20));
    expect(JSON.stringify(raw)).not.toContain('whsec_');
    expect(raw).toMatchObject({ secret: expect.stringMatching(/^enc:v1:/) });
    expect(verifyOrmsSignature(delivery.rawBody, delivery.signature, secret)).toBe(true);
  });

  it('survive a change of key: sealed again under the new key by the upkeep, deliveries signed with the same secret throughout, the old key no longer needed after', async () => {
    await startWorkers({});
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);
    const before = (await rawDocument(webhookId)) as unknown as { secret: string };

    await startWorkers({ WEBHOOK_SECRET_KEY: NEW_KEY, WEBHOOK_SECRET_KEY_PREVIOUS: config.WEBHOOK_SECRET_KEY });
    const resealed = await eventually(
      async () => {
        const doc = (await rawDocument(webhookId)) as unknown as { secret: string };
        return doc.secret !== before.secret ? doc : null;
      },
      15_000,
      'the upkeep to seal the secret again',
    );
    await startWorkers({ WEBHOOK_SECRET_KEY: NEW_KEY });
    const delivery = await pinged(webhookId);

    expect(resealed.secret.split(':')[2]).not.toBe(before.secret.split(':')[2]); // another key id
    expect(verifyOrmsSignature(delivery.rawBody, delivery.signature, secret)).toBe(true);
  });

  it('as stored before sealing (plain) are sealed by the upkeep, and go on signing', async () => {
    await startWorkers({});
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);
    await Webhook.updateOne({ _id: webhookId }, { $set: { secret } });

    const sealed = await eventually(
      async () => {
        const doc = (await rawDocument(webhookId)) as unknown as { secret: string };
        return doc.secret.startsWith('enc:v1:') ? doc : null;
      },
      15_000,
      'the upkeep to seal a plain secret',
    );
    const delivery = await pinged(webhookId);

    expect(JSON.stringify(sealed)).not.toContain('whsec_');
    expect(verifyOrmsSignature(delivery.rawBody, delivery.signature, secret)).toBe(true);
  });

  it('lose the previous secret once its overlap has ended', async () => {
    await startWorkers({});
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    // An API whose overlap is 1 second (WEBHOOK_SECRET_OVERLAP_HOURS).
    const api = await startApiProcess({ WEBHOOK_SECRET_OVERLAP_HOURS: String(1 / 3600) });
    t.onClose(() => api.kill());

    const rotated = await request(api.url).post(`/api/orders/webhooks/${webhookId}/rotate-secret`).set(admin());
    const during = (await rawDocument(webhookId)) as unknown as { previousSecret: string | null };
    const after = await eventually(
      async () => {
        const doc = (await rawDocument(webhookId)) as unknown as {
          previousSecret: string | null;
          previousSecretExpiresAt: Date | null;
        };
        return doc.previousSecret === null ? doc : null;
      },
      15_000,
      'the previous secret to be removed',
    );

    expect(rotated.status).toBe(200);
    expect(during.previousSecret).toMatch(/^enc:v1:/);
    expect(after).toMatchObject({ previousSecret: null, previousSecretExpiresAt: null });
  });

  it('do not open when copied to another subscription: the delivery fails rather than signing with a secret that is not its own', async () => {
    await startWorkers({});
    const { webhookId: source } = await t.as('admin').subscribe(receiver.url);
    const { webhookId: target } = await t.as('admin').subscribe(receiver.url);
    const copied = ((await rawDocument(source)) as unknown as { secret: string }).secret;
    await Webhook.updateOne({ _id: target }, { $set: { secret: copied } });

    const res = await request(t.app).post(`/api/orders/webhooks/${target}/test`).set(admin());
    const row = await eventually(
      async () => {
        const log = await request(t.app).get(`/api/orders/webhooks/${target}/deliveries`).set(admin());
        return log.body.data.deliveries.find(
          (d: { deliveryId: string; attempts: number }) => d.deliveryId === res.body.data.deliveryId && d.attempts > 0,
        );
      },
      15_000,
      'the delivery to be attempted',
    );

    expect(receiver.received.filter((r) => r.headers['orms-delivery-id'] === res.body.data.deliveryId)).toEqual([]);
    expect(row.lastError).toContain('does not open');
  });
});
