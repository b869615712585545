import request from 'supertest';
import { webhookHttp } from '../src/clients/webhook-http';
import { Webhook } from '../src/models';
import { recordAttempt } from '../src/services/webhooks/attempts';
import { startApiProcess } from './helpers/api-process';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import {
  startWebhookReceiver,
  verifyOrmsSignature,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './helpers/webhook-receiver';

const t = useTestApp({ workers: ['webhooks', 'upkeep'], smtp: true });
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t.onClose(() => receiver.close());
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.answerOtherwise({ status: 200 });
});
// Each test hears only its own subscriptions.
afterEach(async () => {
  const list = await request(t.app).get('/api/orders/webhooks').set(as('admin'));
  for (const { webhookId } of list.body.data.webhooks as { webhookId: string }[])
    await request(t.app).delete(`/api/orders/webhooks/${webhookId}`).set(as('admin'));
});

const admin = () => as('admin');
const deliveriesOf = (webhookId: string, query = '') =>
  request(t.app).get(`/api/orders/webhooks/${webhookId}/deliveries${query}`).set(admin());
const ping = async (webhookId: string): Promise<{ deliveryId: string; eventId: string }> => {
  const res = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(admin());
  expect(res.status).toBe(202);
  return res.body.data;
};
const redeliver = (webhookId: string, deliveryId: string) =>
  request(t.app).post(`/api/orders/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`).set(admin());
const setActive = (webhookId: string, active: boolean) =>
  request(t.app).patch(`/api/orders/webhooks/${webhookId}`).set(admin()).send({ active });
const requestsFor = (deliveryId: string): ReceivedWebhook[] =>
  receiver.received.filter((r) => r.headers['orms-delivery-id'] === deliveryId);
const receivedFor = (deliveryId: string, n: number, what: string) =>
  eventually(async () => (requestsFor(deliveryId).length >= n ? requestsFor(deliveryId) : null), 10_000, what);
/** The subscription once it has been disabled (its read, within 5 s). */
const disabledSoon = (webhookId: string) =>
  eventually(
    async () => {
      const res = await request(t.app).get(`/api/orders/webhooks/${webhookId}`).set(admin());
      return res.body.data.active === false ? res.body.data : null;
    },
    5000,
    `subscription ${webhookId} to be disabled`,
  );
const deliveryIn = async (webhookId: string, deliveryId: string, status: string) =>
  eventually(
    async () => {
      const res = await deliveriesOf(webhookId, `?status=${status}`);
      return res.body.data.deliveries.find((d: { deliveryId: string }) => d.deliveryId === deliveryId);
    },
    10_000,
    `delivery ${deliveryId} to be ${status}`,
  );

describe('webhook subscriptions', () => {
  it('shows the secret once, at creation: never in the list or a read', async () => {
    const created = await request(t.app)
      .post('/api/orders/webhooks')
      .set(admin())
      .send({ url: receiver.url, events: ['order.created', 'order.cancelled'], description: 'warehouse' });

    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      webhookId: expect.stringMatching(/^wh_[0-9a-f]{24}$/),
      url: receiver.url,
      events: ['order.created', 'order.cancelled'],
      active: true,
      description: 'warehouse',
    });
    expect(created.body.data.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const { webhookId } = created.body.data;
    const one = await request(t.app).get(`/api/orders/webhooks/${webhookId}`).set(admin());
    const list = await request(t.app).get('/api/orders/webhooks').set(admin());
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.body) + JSON.stringify(list.body)).not.toContain('whsec_');
    expect(list.body.data.webhooks.map((w: { webhookId: string }) => w.webhookId)).toContain(webhookId);
  });

  it('refuses event lists it cannot honour, in the envelope', async () => {
    for (const events of [[], ['*', 'order.created'], ['order.shipped'], 'order.created']) {
      const res = await request(t.app).post('/api/orders/webhooks').set(admin()).send({ url: receiver.url, events });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        success: false,
        errors: [
          expect.objectContaining({
            field: expect.stringMatching(/^events/),
            message: expect.stringMatching(/event types .*\["\*"\] alone/),
          }),
        ],
      });
    }
  });

  it('changes, and deletes a subscription; a deleted one is 404', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);

    const patched = await request(t.app)
      .patch(`/api/orders/webhooks/${webhookId}`)
      .set(admin())
      .send({ events: ['return.requested'], description: 'returns desk' });
    const deleted = await request(t.app).delete(`/api/orders/webhooks/${webhookId}`).set(admin());

    expect(patched.body.data).toMatchObject({
      events: ['return.requested'],
      description: 'returns desk',
      active: true,
    });
    expect(deleted.status).toBe(200);
    expect((await request(t.app).get(`/api/orders/webhooks/${webhookId}`).set(admin())).status).toBe(404);
  });
});

describe('webhook deliveries', () => {
  it('posts each event of an order, signed with the secret, with the documented headers and body; ids, never names or addresses', async () => {
    const { webhookId, secret } = await t
      .as('admin')
      .subscribe(receiver.url, ['order.created', 'order.status_changed']);

    const orderId = await t.as('alice').placeOrder();
    await t.as('admin').move(orderId, 'Processing');

    const got = await eventually(
      async () =>
        receiver.accepted().filter((r) => r.body.data?.orderId === orderId).length === 2 ? receiver.accepted() : null,
      10_000,
      'two deliveries',
    );
    const byType = Object.fromEntries(got.map((r) => [r.body.type, r]));
    expect(Object.keys(byType).sort()).toEqual(['order.created', 'order.status_changed']);
    for (const r of got) {
      expect(verifyOrmsSignature(r.rawBody, r.signature, secret)).toBe(true);
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'ORMS-Webhooks/1',
        'orms-event-id': r.body.id,
        'orms-event-type': r.body.type,
      });
      expect(r.headers['orms-delivery-id']).toMatch(/^dlv_[0-9a-f]{32}$/);
      expect(Object.keys(r.body).sort()).toEqual(['data', 'id', 'occurredAt', 'type']);
    }
    expect(byType['order.status_changed'].body.data).toEqual({
      orderId,
      customerId: expect.any(String),
      status: 'Processing',
      previousStatus: 'Placed',
      totals: { totalAmount: expect.any(Number), itemCount: expect.any(Number) },
      return: null,
    });
    expect(JSON.stringify(got.map((r) => r.body))).not.toMatch(/street|city|@|name/i);
    const log = await eventually(
      async () => {
        const res = await deliveriesOf(webhookId, '?status=delivered');
        return res.body.data.deliveries.length === 2 ? res : null;
      },
      5000,
      'the log to say delivered',
    );
    expect(log.body.data.deliveries[0]).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      durationMs: expect.any(Number),
      nextAttemptAt: null,
    });
  });

  it('fails verification for a tampered body or a timestamp older than 5 minutes', async () => {
    const { webhookId, secret } = await t.as('admin').subscribe(receiver.url);

    const { deliveryId } = await ping(webhookId);

    const [r] = await receivedFor(deliveryId, 1, 'the ping');
    expect(r.body.type).toBe('ping');
    expect(verifyOrmsSignature(r.rawBody, r.signature, secret)).toBe(true);
    expect(verifyOrmsSignature(r.rawBody.replace('ping', 'pong'), r.signature, secret)).toBe(false);
    expect(verifyOrmsSignature(r.rawBody, r.signature, secret, Date.now() + 301_000)).toBe(false);
    expect(verifyOrmsSignature(r.rawBody, r.signature, 'whsec_someone-else')).toBe(false);
  });

  it('retries 5xx with backoff until the receiver takes it, sending the same event id and body each time', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 500 }, { status: 503 });

    const { deliveryId, eventId } = await ping(webhookId);

    const tries = await receivedFor(deliveryId, 3, 'three attempts');
    expect(tries.map((r) => r.status)).toEqual([500, 503, 200]);
    expect(new Set(tries.map((r) => r.headers['orms-event-id']))).toEqual(new Set([eventId]));
    expect(new Set(tries.map((r) => r.rawBody)).size).toBe(1);
    // WEBHOOK_BACKOFF_MS (50 in tests) doubles: at least 50 ms, then 100 ms, between attempts.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(50);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(100);
    expect(await deliveryIn(webhookId, deliveryId, 'delivered')).toMatchObject({ attempts: 3, lastStatusCode: 200 });
  });

  it("waits at least the receiver's Retry-After before trying again, and shows when in the log", async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 429, headers: { 'Retry-After': '2' } });

    const { deliveryId } = await ping(webhookId);

    const waiting = await deliveryIn(webhookId, deliveryId, 'failed');
    expect(waiting).toMatchObject({ attempts: 1, lastStatusCode: 429 });
    expect(Date.parse(waiting.nextAttemptAt) - Date.parse(waiting.lastAttemptAt)).toBeGreaterThanOrEqual(2000);
    const tries = await receivedFor(deliveryId, 2, 'the second attempt');
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(2000);
    await deliveryIn(webhookId, deliveryId, 'delivered');
  });

  it('gives up at once on a 4xx (dead, dead-lettered) and redelivers it on request with the same event id', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 400 });

    const { deliveryId, eventId } = await ping(webhookId);

    expect(await deliveryIn(webhookId, deliveryId, 'dead')).toMatchObject({ attempts: 1, lastStatusCode: 400 });
    expect(requestsFor(deliveryId)).toHaveLength(1);
    const letters = await eventually(
      async () => {
        const res = await request(t.app).get('/api/orders/dead-letters').set(admin());
        return res.body.data.deadLetters.find((l: { jobId: string }) => l.jobId === deliveryId);
      },
      5000,
      'the dead letter',
    );
    expect(letters).toMatchObject({ queue: 'webhooks', name: 'deliver', data: { deliveryId } });

    const again = await request(t.app)
      .post(`/api/orders/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`)
      .set(admin());

    expect(again.status).toBe(202);
    await deliveryIn(webhookId, deliveryId, 'delivered');
    expect(requestsFor(deliveryId).map((r) => [r.status, r.headers['orms-event-id']])).toEqual([
      [400, eventId],
      [200, eventId],
    ]);
  });

  it('after the last attempt the delivery is dead and dead-lettered; replaying the dead letter delivers it', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerOtherwise({ status: 502 });

    const { deliveryId } = await ping(webhookId);

    expect(await deliveryIn(webhookId, deliveryId, 'dead')).toMatchObject({ attempts: 4, lastStatusCode: 502 }); // WEBHOOK_MAX_ATTEMPTS of the tests
    const id = `webhooks-${deliveryId}`;
    await eventually(
      async () => (await request(t.app).get(`/api/orders/dead-letters/${id}`).set(admin())).status === 200,
      5000,
      'the dead letter',
    );
    receiver.answerOtherwise({ status: 200 });

    const replay = await request(t.app).post(`/api/orders/dead-letters/${id}/replay`).set(admin());

    expect(replay.status).toBe(200);
    expect(await deliveryIn(webhookId, deliveryId, 'delivered')).toMatchObject({ attempts: 5, lastStatusCode: 200 });
  });

  it('of redeliveries asked for at once, sends one', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 404 });
    const { deliveryId } = await ping(webhookId);
    await deliveryIn(webhookId, deliveryId, 'dead');

    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(t.app).post(`/api/orders/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`).set(admin()),
      ),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
    await deliveryIn(webhookId, deliveryId, 'delivered');
    await eventually(
      async () => (await t.queues.webhooks.getJobCounts('waiting', 'active', 'delayed')).waiting === 0,
      5000,
      'the queue to settle',
    );
    expect(requestsFor(deliveryId).map((r) => r.status)).toEqual([404, 200]);
  });

  it('refuses to ping a disabled subscription: 409, nothing sent', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    await request(t.app).patch(`/api/orders/webhooks/${webhookId}`).set(admin()).send({ active: false });

    const res = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(admin());

    expect(res.status).toBe(409);
    expect((await deliveriesOf(webhookId)).body.data.deliveries).toEqual([]);
  });

  it('refuses to redeliver a delivery that is still being attempted', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 503, headers: { 'Retry-After': '30' } });
    const { deliveryId } = await ping(webhookId);
    await deliveryIn(webhookId, deliveryId, 'failed');

    const res = await request(t.app)
      .post(`/api/orders/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`)
      .set(admin());

    expect(res.status).toBe(409);
    expect(res.body.errors[0].field).toBe('deliveryId');
  });

  it('refuses to redeliver to a disabled subscription, saying so (409), and sends nothing; enabled again, the redelivery goes', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 404 });
    const { deliveryId } = await ping(webhookId);
    await deliveryIn(webhookId, deliveryId, 'dead');
    expect((await setActive(webhookId, false)).status).toBe(200);

    const refused = await redeliver(webhookId, deliveryId);

    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      success: false,
      errors: [{ field: 'webhookId', message: expect.stringMatching(/subscription is disabled/) }],
    });
    expect((await setActive(webhookId, true)).status).toBe(200);
    expect((await redeliver(webhookId, deliveryId)).status).toBe(202);
    await deliveryIn(webhookId, deliveryId, 'delivered');
    expect(requestsFor(deliveryId).map((r) => r.status)).toEqual([404, 200]);
  });

  it('redelivers, once the subscription is enabled again, a redelivery it gave up because the subscription was disabled before its turn', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 404 });
    const { deliveryId } = await ping(webhookId);
    await deliveryIn(webhookId, deliveryId, 'dead');
    // The redelivery waits in the queue while the subscription is disabled.
    await t.queues.webhooks.pause();
    try {
      expect((await redeliver(webhookId, deliveryId)).status).toBe(202);
      expect((await setActive(webhookId, false)).status).toBe(200);
    } finally {
      await t.queues.webhooks.resume();
    }
    const givenUp = await eventually(
      async () => {
        const row = (await deliveriesOf(webhookId)).body.data.deliveries.find(
          (d: { deliveryId: string }) => d.deliveryId === deliveryId,
        );
        return row?.status === 'dead' && row.lastError === 'the subscription is disabled' ? row : null;
      },
      10_000,
      'the redelivery to be given up',
    );
    expect(givenUp.attempts).toBe(1);
    expect((await setActive(webhookId, true)).status).toBe(200);

    const again = await redeliver(webhookId, deliveryId);

    expect(again.status).toBe(202);
    await deliveryIn(webhookId, deliveryId, 'delivered');
    expect(requestsFor(deliveryId).map((r) => r.status)).toEqual([404, 200]);
  });

  it('a 410 disables the subscription and tells the administrators once; nothing more is sent until it is enabled', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    receiver.answerNext({ status: 410 });

    const { deliveryId } = await ping(webhookId);

    await deliveryIn(webhookId, deliveryId, 'dead');
    const disabled = await disabledSoon(webhookId);
    expect(disabled.disabledReason).toMatch(/410/);
    const notice = await eventually(
      async () => {
        const mails = t.smtp.received.filter((m) => m.subject.includes(webhookId));
        return mails.length ? mails : null;
      },
      5000,
      'the notice',
    );
    expect(notice).toHaveLength(1);
    expect(notice[0].to).toContain('ops@example.com');

    const orderId = await t.as('alice').placeOrder();
    await eventually(
      async () =>
        (await request(t.app).get(`/api/orders/events?limit=500`).set(admin())).body.data.events.some(
          (e: { orderId: string }) => e.orderId === orderId,
        ),
      10_000,
      'the order in the feed',
    );
    expect((await deliveriesOf(webhookId)).body.data.deliveries).toHaveLength(1);

    const enabled = await request(t.app).patch(`/api/orders/webhooks/${webhookId}`).set(admin()).send({ active: true });
    expect(enabled.body.data).toMatchObject({ active: true, disabledReason: null, failingSince: null });
  });

  it('disables a subscription whose deliveries have failed for longer than WEBHOOK_DISABLE_AFTER_HOURS (72)', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    // Three days of failures, arranged rather than waited for.
    await Webhook.updateOne(
      { _id: webhookId },
      { $set: { failingSince: new Date(Date.now() - 72 * 3600_000 - 1000) } },
    );
    receiver.answerNext({ status: 500 });

    await ping(webhookId);

    const disabled = await disabledSoon(webhookId);
    expect(disabled.disabledReason).toMatch(/failed since/);
    await eventually(async () => t.smtp.received.some((m) => m.subject.includes(webhookId)), 5000, 'the notice');
  });

  it('keeps a slow receiver to its share: the other subscriptions are served meanwhile', async () => {
    const slow = await startWebhookReceiver();
    t.onClose(() => slow.close());
    slow.answerOtherwise({ status: 200, delayMs: 1500 });
    await t.as('admin').subscribe(slow.url, ['order.created']);
    await t.as('admin').subscribe(receiver.url, ['order.created']);

    const orderIds = await Promise.all(Array.from({ length: 12 }, () => t.as('alice').placeOrder()));

    await eventually(
      async () => orderIds.every((id) => receiver.accepted().some((r) => r.body.data.orderId === id)),
      10_000,
      'the fast receiver to get every order',
    );
    expect(slow.accepted().length).toBeLessThan(12);
    await eventually(
      async () => orderIds.every((id) => slow.accepted().some((r) => r.body.data.orderId === id)),
      30_000,
      'the slow one too, in time',
    );
    expect(slow.maxInFlight()).toBeLessThanOrEqual(4); // WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION
  });
});

describe('the deliveries log', () => {
  it('keeps the success when a failure of the same attempt (a second run, its lock lapsed) is written to the row at the same moment, and counts the attempt once', async () => {
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    // Deliveries waiting for their second attempt: the receiver asked for 30 s.
    receiver.answerOtherwise({ status: 503, headers: { 'Retry-After': '30' } });
    const deliveryIds = await Promise.all(Array.from({ length: 20 }, async () => (await ping(webhookId)).deliveryId));
    await eventually(
      async () =>
        (await deliveriesOf(webhookId, '?status=failed&limit=100')).body.data.deliveries.length === deliveryIds.length,
      10_000,
      'every delivery to wait for its second attempt',
    );
    const failure = { statusCode: 503, error: null, retryAfterMs: null, durationMs: 5, addressRefused: false };
    const success = { statusCode: 200, error: null, retryAfterMs: null, durationMs: 5, addressRefused: false };

    // Each row's second attempt, written twice at once: one run failed, the other succeeded.
    await Promise.all(
      deliveryIds.map((id) =>
        Promise.all([recordAttempt(id, 1, failure, 'retry', 100), recordAttempt(id, 1, success, 'delivered', null)]),
      ),
    );

    const rows = (await deliveriesOf(webhookId, '?limit=100')).body.data.deliveries as {
      deliveryId: string;
      status: string;
      attempts: number;
      lastStatusCode: number;
    }[];
    const outcome = (id: string) =>
      rows
        .filter((r) => r.deliveryId === id)
        .map(({ status, attempts, lastStatusCode }) => ({ id, status, attempts, lastStatusCode }));
    expect(deliveryIds.flatMap(outcome)).toEqual(
      deliveryIds.map((id) => ({ id, status: 'delivered', attempts: 2, lastStatusCode: 200 })),
    );
  });
});

describe('secret rotation', () => {
  it('signs with both secrets during the overlap, and with the new one only after it', async () => {
    const { webhookId, secret: first } = await t.as('admin').subscribe(receiver.url);
    // An API whose overlap is 2 seconds (WEBHOOK_SECRET_OVERLAP_HOURS), so its end can be seen.
    const api = await startApiProcess({ WEBHOOK_SECRET_OVERLAP_HOURS: String(2 / 3600) });
    t.onClose(() => api.kill());

    const rotated = await request(api.url).post(`/api/orders/webhooks/${webhookId}/rotate-secret`).set(admin());

    expect(rotated.status).toBe(200);
    const second = rotated.body.data.secret as string;
    expect(second).not.toBe(first);
    const during = await receivedFor((await ping(webhookId)).deliveryId, 1, 'a ping during the overlap');
    expect(during[0].signature.match(/v1=/g)).toHaveLength(2);
    expect(verifyOrmsSignature(during[0].rawBody, during[0].signature, first)).toBe(true);
    expect(verifyOrmsSignature(during[0].rawBody, during[0].signature, second)).toBe(true);

    await eventually(
      async () =>
        (await request(t.app).get(`/api/orders/webhooks/${webhookId}`).set(admin())).body.data
          .previousSecretExpiresAt === null,
      5000,
      'the overlap to end',
    );
    const after = await receivedFor((await ping(webhookId)).deliveryId, 1, 'a ping after the overlap');
    expect(verifyOrmsSignature(after[0].rawBody, after[0].signature, second)).toBe(true);
    expect(verifyOrmsSignature(after[0].rawBody, after[0].signature, first)).toBe(false);
  });
});

describe('SSRF guard', () => {
  it('refuses at registration URLs that are not http(s) or resolve to loopback, private, link-local or metadata addresses', async () => {
    const api = await startApiProcess({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
    t.onClose(() => api.kill());
    const refused = [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://172.16.0.1/hook',
      'http://192.168.1.10/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fd00::1]/hook',
      // Forms that carry an IPv4 address a translating network would reach: NAT64 of the
      // metadata service and of loopback, 6to4 of both, IPv4-compatible loopback.
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[64:ff9b::7f00:1]/',
      'http://[2002:7f00:1::]/',
      'http://[2002:a9fe:a9fe::]/',
      'http://[::127.0.0.1]/',
      'http://0.0.0.0/hook',
      'ftp://93.184.216.34/hook',
      'file:///etc/passwd',
      'http://user:pw@93.184.216.34/hook',
    ];

    for (const url of refused) {
      const res = await request(api.url)
        .post('/api/orders/webhooks')
        .set(admin())
        .send({ url, events: ['*'] });
      expect([url, res.status, res.body.errors?.[0]?.field]).toEqual([url, 400, 'url']);
    }
    const publicAddress = await request(api.url)
      .post('/api/orders/webhooks')
      .set(admin())
      .send({ url: 'https://93.184.216.34/hook', events: ['*'] });
    expect(publicAddress.status).toBe(201);
  });

  it('refuses at delivery, after DNS, a receiver that resolves to an internal address: nothing reaches it', async () => {
    const send = webhookHttp({
      connectTimeoutMs: 1000,
      timeoutMs: 2000,
      allowPrivate: false,
      resolveHost: t.services.resolveHost,
    });
    const port = new URL(receiver.url).port;

    const byName = await send({ url: `http://localhost:${port}/hooks/orms`, body: '{}', headers: {} });
    const byAddress = await send({ url: receiver.url, body: '{}', headers: {} });

    expect(byName).toMatchObject({ statusCode: null, error: expect.stringMatching(/refused/) });
    expect(byAddress).toMatchObject({ statusCode: null, error: expect.stringMatching(/refused/) });
    expect(receiver.received).toHaveLength(0);
  });
});
