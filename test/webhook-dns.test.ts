import request from 'supertest';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { startFakeDns, type FakeDns } from './helpers/fake-dns';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

/**
 * Receivers' names resolved for webhooks: by our own resolver, asking a DNS server on
 * loopback that answers from a table (or never), within WEBHOOK_DNS_TIMEOUT_MS; what an
 * administrator reads never says which address a name resolves to.
 */
jest.setTimeout(60_000);

const DNS_TIMEOUT_MS = 500;
const INSIDE = '10.20.30.40';
// The in-process app takes any URL (this file's default): the processes below judge them.
const t = useTestApp();
let dns: FakeDns;
let api: ApiProcess;
let worker: WorkerProcess;
beforeAll(async () => {
  dns = await startFakeDns({
    'hangs.example': 'hang',
    'inside.example': { a: [INSIDE] },
    'outside.example': { a: ['93.184.215.14'] },
  });
  const guarded = {
    WEBHOOK_ALLOW_PRIVATE_URLS: 'false',
    WEBHOOK_DNS_SERVERS: dns.server,
    WEBHOOK_DNS_TIMEOUT_MS: String(DNS_TIMEOUT_MS),
  };
  [api, worker] = await Promise.all([
    startApiProcess(guarded),
    startWorkerProcess({
      ...peersEnv(t),
      WORKERS: 'webhooks',
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_BACKOFF_MS: '60000',
      ...guarded,
    }),
  ]);
  t.onClose(() => Promise.all([api.kill(), worker.kill(), dns.close()]));
});

const admin = () => as('admin');
const register = (url: string) =>
  request(api.url)
    .post('/api/orders/webhooks')
    .set(admin())
    .send({ url, events: ['*'] });
async function deliveryTo(url: string): Promise<{ webhookId: string; deliveryId: string }> {
  const { webhookId } = await t.as('admin').subscribe(url);
  const ping = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(admin());
  expect(ping.status).toBe(202);
  return { webhookId, deliveryId: ping.body.data.deliveryId };
}
const deliveryOnceAttempted = (webhookId: string, deliveryId: string) =>
  eventually(
    async () => {
      const res = await request(t.app).get(`/api/orders/webhooks/${webhookId}/deliveries`).set(admin());
      const row = res.body.data.deliveries.find((d: { deliveryId: string }) => d.deliveryId === deliveryId);
      return row?.attempts > 0 ? row : null;
    },
    20_000,
    `delivery ${deliveryId} to be attempted`,
  );

describe('webhook receivers resolved with a deadline', () => {
  it('refuses at registration a name that resolves inside, without saying to what, and one that does not resolve in time; takes one that resolves outside', async () => {
    const started = Date.now();
    const [inside, hangs, outside] = await Promise.all([
      register('http://inside.example/hooks'),
      register('http://hangs.example/hooks'),
      register('https://outside.example/hooks'),
    ]);

    expect(inside.status).toBe(400);
    expect(JSON.stringify(inside.body)).toContain('resolves to a non-public address');
    expect(JSON.stringify(inside.body)).not.toContain(INSIDE);
    expect(hangs.status).toBe(400);
    expect(JSON.stringify(hangs.body)).toContain(`did not resolve within ${DNS_TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeLessThan(DNS_TIMEOUT_MS + 5_000);
    expect(outside.status).toBe(201);
    expect(dns.queries).toEqual(expect.arrayContaining(['inside.example', 'hangs.example', 'outside.example']));
  });

  it('ends a delivery at once, dead with the reason, when its receiver resolves inside: no attempt left to spend on it', async () => {
    const { webhookId, deliveryId } = await deliveryTo('http://inside.example/hooks');

    const row = await deliveryOnceAttempted(webhookId, deliveryId);

    expect(row).toMatchObject({ status: 'dead', attempts: 1, nextAttemptAt: null, lastStatusCode: null });
    expect(row.lastError).toContain('resolves to a non-public address');
    expect(row.lastError).not.toContain(INSIDE);
  });

  it('fails only that attempt when the name does not resolve in time: the delivery waits for its next one', async () => {
    const { webhookId, deliveryId } = await deliveryTo('http://hangs.example/hooks');

    const row = await deliveryOnceAttempted(webhookId, deliveryId);

    expect(row).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: expect.any(String) });
    expect(row.lastError).toContain(`did not resolve within ${DNS_TIMEOUT_MS} ms`);
    expect(row.durationMs).toBeLessThan(DNS_TIMEOUT_MS + 2_000);
  });
});
