import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { createAuthServiceClient } from '../src/clients/auth-service';
import { createCustomerServiceClient } from '../src/clients/customer-service';
import { newWebhookSecret, signatureHeader, standardWebhookHeaders } from '../src/services/webhooks/signature';
import type { Delivery } from '../scripts/dev-peers/state';
import { GENERATED_SECRETS } from './helpers/production-secrets';
import { freePort } from './helpers/redis-server';
import { eventually } from './helpers/test-app';
import { customerServiceOptions } from '../src/workers/settings';
import { config } from '../src/config';

/** A production environment that passes every other check (the tests' own lets webhooks reach loopback). */
const PRODUCTION = {
  ENVIRONMENT: 'production',
  JWT_SECRET: GENERATED_SECRETS.JWT_SECRET,
  SERVICE_API_KEY: GENERATED_SECRETS.SERVICE_API_KEY,
  METRICS_TOKEN: GENERATED_SECRETS.METRICS_TOKEN,
  WEBHOOK_ALLOW_PRIVATE_URLS: 'false',
};

/** The local stand-ins and the token script, as scripts/start.sh and a developer run them. */
const ROOT = path.join(__dirname, '..');
const run = (script: string, env: Record<string, string>, args: string[] = []) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

let peers: ChildProcess;
let auth: string;
let customers: string;
// Its own file, so the test neither reads nor overwrites what a developer's stand-ins kept in var/dev-peers/.
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orms-dev-peers-'));
const stateFile = path.join(stateDir, 'state.json');

async function startPeers(): Promise<void> {
  peers = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev-peers/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ENVIRONMENT: 'development',
      AUTH_SERVICE_URL: auth,
      CUSTOMER_SERVICE_URL: customers,
      DEV_PEERS_STATE_FILE: stateFile,
    },
    stdio: 'ignore',
  });
  await eventually(
    async () => (await fetch(`${customers}/`).catch(() => null))?.ok && (await fetch(`${auth}/`).catch(() => null))?.ok,
    15_000,
    'the stand-ins to listen',
  );
}

async function stopPeers(signal: NodeJS.Signals): Promise<void> {
  const exited = once(peers, 'exit');
  peers.kill(signal);
  await exited;
}

beforeAll(async () => {
  const [a, c] = await Promise.all([freePort(), freePort()]);
  auth = `http://127.0.0.1:${a}`;
  customers = `http://127.0.0.1:${c}`;
  await startPeers();
}, 20_000);
afterAll(() => {
  peers?.kill('SIGKILL');
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('the local stand-ins for the Auth and Customer services', () => {
  it('answer ORMS’s own clients: a seeded customer, a made-up profile for any other id', async () => {
    const client = createAuthServiceClient({ url: auth, timeoutMs: 2000, serviceApiKey: config.SERVICE_API_KEY });

    const alice = await client.getUser('user-alice');
    const stranger = await client.getUser('someone-else-42');

    expect(alice).toEqual({
      userId: 'user-alice',
      email: 'alice@example.com',
      name: 'Alice Fernandes',
      customerId: 'cust-alice',
    });
    expect(stranger).toMatchObject({ userId: 'someone-else-42', customerId: 'cust-someone-else-42' });
  });

  it('check the service key as the real ones do', async () => {
    const user = await fetch(`${auth}/api/auth/user/user-alice`, { headers: { 'x-service-api-key': 'wrong' } });
    const stats = await fetch(`${customers}/api/customers/internal/cust-alice/statistics`, {
      method: 'PATCH',
      body: '{}',
    });

    expect([user.status, stats.status]).toEqual([401, 401]);
  });

  it('record the statistics they are sent, and list them at GET /', async () => {
    const body = {
      totalOrders: 3,
      totalSpent: 42.5,
      lastOrderDate: null,
      ordersByStatus: { Placed: 3 },
      calculatedAt: new Date().toISOString(),
    };

    await createCustomerServiceClient(customerServiceOptions({ url: customers, timeoutMs: 2000 })).updateStatistics(
      'cust-bob',
      body,
    );
    const listed = (await (await fetch(`${customers}/`)).json()) as {
      received: { customerId: string; body: unknown }[];
    };

    expect(listed.received).toEqual([expect.objectContaining({ customerId: 'cust-bob', body })]);
  });

  it('answer a browser with a page of what they hold, and anything else with the JSON', async () => {
    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

    const page = await fetch(`${auth}/`, { headers: browser });
    const json = await fetch(`${auth}/`, { headers: { accept: '*/*' } });

    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('alice@example.com');
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toMatchObject({
      standIns: ['auth'],
      users: expect.arrayContaining([expect.objectContaining({ _id: 'user-alice' })]),
    });
  });

  it('refuse to run in production', () => {
    const res = run('scripts/dev-peers/server.ts', { ...PRODUCTION });

    expect(res.status).toBe(1);
    expect(res.stderr).toContain('refusing to run with ENVIRONMENT=production');
  });
});

describe('the webhook receiver stand-in (on the Customer stand-in)', () => {
  const receiverUrl = (name: string) => `${customers}/webhook-receiver/${name}`;
  const setUp = async (name: string, settings: { secret?: string; answer?: number }) => {
    const res = await fetch(receiverUrl(name), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  let n = 0;
  /** A delivery as ORMS's worker sends one: the body, its headers, signed by the real signer. */
  const deliver = async (name: string, secrets: string[], options: { eventId?: string; t?: number } = {}) => {
    n++;
    const eventId = options.eventId ?? `evt_${n}`;
    const body = JSON.stringify({
      id: eventId,
      type: 'order.created',
      occurredAt: new Date().toISOString(),
      data: { orderId: `ORD-${n}` },
    });
    const res = await fetch(receiverUrl(name), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ORMS-Webhooks/1',
        'orms-event-id': eventId,
        'orms-event-type': 'order.created',
        'orms-delivery-id': `dlv_${n}`,
        'orms-signature': signatureHeader(secrets, body, options.t),
        ...standardWebhookHeaders(`dlv_${n}`, secrets, body, options.t),
      },
      body,
    });
    return { status: res.status, deliveryId: `dlv_${n}`, eventId, body: JSON.parse(body) as unknown };
  };
  const received = async (name: string) =>
    ((await (await fetch(receiverUrl(name))).json()) as { name: string; answer: number; received: Delivery[] })
      .received;

  it('verifies a signed delivery, answers it with the status it was given, and records it', async () => {
    const secret = newWebhookSecret();

    const put = await setUp('signed', { secret, answer: 202 });
    const sent = await deliver('signed', [secret]);

    expect(put).toEqual({ status: 200, body: { name: 'signed', answer: 202, hasSecret: true } });
    expect(sent.status).toBe(202);
    expect(await received('signed')).toEqual([
      {
        deliveryId: sent.deliveryId,
        eventId: sent.eventId,
        eventType: 'order.created',
        verified: true,
        answered: 202,
        receivedAt: expect.any(String),
        body: sent.body,
      },
    ]);
  });

  it('accepts a delivery during a secret rotation, which carries a v1 per secret', async () => {
    const [old, current] = [newWebhookSecret(), newWebhookSecret()];
    await setUp('rotating', { secret: current });

    const sent = await deliver('rotating', [current, old]);

    expect(sent.status).toBe(200);
  });

  it('answers 401 to a badly signed or stale delivery and records it unverified', async () => {
    const secret = newWebhookSecret();
    await setUp('refusing', { secret, answer: 200 });

    const wrongSecret = await deliver('refusing', [newWebhookSecret()]);
    const stale = await deliver('refusing', [secret], { t: Math.floor(Date.now() / 1000) - 6 * 60 });
    const noSecret = await deliver('never-set-up', [secret]);

    expect([wrongSecret.status, stale.status, noSecret.status]).toEqual([401, 401, 401]);
    expect((await received('refusing')).map((d) => [d.deliveryId, d.verified, d.answered])).toEqual([
      [wrongSecret.deliveryId, false, 401],
      [stale.deliveryId, false, 401],
    ]);
    expect(await received('never-set-up')).toEqual([expect.objectContaining({ verified: false, answered: 401 })]);
  });

  it('answers what it is told from then on: 500, then 200 again, keeping the secret', async () => {
    const secret = newWebhookSecret();
    await setUp('flaky', { secret });

    await setUp('flaky', { answer: 500 });
    const failing = await deliver('flaky', [secret]);
    const back = await setUp('flaky', { answer: 200 });
    const passing = await deliver('flaky', [secret]);

    expect([failing.status, passing.status]).toEqual([500, 200]);
    expect(back.body).toEqual({ name: 'flaky', answer: 200, hasSecret: true });
    expect((await received('flaky')).map((d) => [d.verified, d.answered])).toEqual([
      [true, 500],
      [true, 200],
    ]);
  });

  it('refuses settings that are not a status or a secret', async () => {
    const answers = await Promise.all([
      setUp('odd', { answer: 700 }),
      setUp('odd', { answer: 199 }),
      setUp('odd', { secret: '' }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
  });

  it('lists each delivery on the page, escaped, and in the JSON of GET /', async () => {
    const secret = newWebhookSecret();
    await setUp('page', { secret, answer: 200 });
    const sent = await deliver('page', [secret], { eventId: 'evt_<img src=x onerror=alert(1)>' });

    const html = await (await fetch(`${customers}/`, { headers: { accept: 'text/html' } })).text();
    const json = (await (await fetch(`${customers}/`)).json()) as {
      webhooks: { name: string; received: Delivery[] }[];
    };

    expect(sent.status).toBe(200);
    expect(html).toContain('evt_&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain(sent.deliveryId);
    expect(json.webhooks.find((w) => w.name === 'page')?.received).toEqual([
      expect.objectContaining({ eventId: sent.eventId, verified: true }),
    ]);
  });

  it('keeps what it received, and how its receivers are set up, across a restart', async () => {
    const secret = newWebhookSecret();
    await setUp('kept', { secret, answer: 201 });
    await createCustomerServiceClient(customerServiceOptions({ url: customers, timeoutMs: 2000 })).updateStatistics(
      'cust-kept',
      {
        totalOrders: 1,
        totalSpent: 10,
        lastOrderDate: null,
        ordersByStatus: { Placed: 1 },
        calculatedAt: new Date().toISOString(),
      },
    );
    const first = await deliver('kept', [secret]);
    const before = await received('kept');

    // Killed outright, it keeps what its (debounced) write saved; stopped, what came after too.
    await eventually(
      async () => fs.existsSync(stateFile) && fs.readFileSync(stateFile, 'utf8').includes(`"${first.deliveryId}"`),
      10_000,
      'the delivery to be saved',
    );
    await stopPeers('SIGKILL');
    await startPeers();
    const second = await deliver('kept', [secret]);
    await stopPeers('SIGTERM');
    await startPeers();

    const after = await received('kept');
    const page = (await (await fetch(`${customers}/`)).json()) as { received: { customerId: string }[] };
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(after).toEqual([
      ...before,
      expect.objectContaining({ deliveryId: second.deliveryId, verified: true, answered: 201 }),
    ]);
    expect(page.received).toEqual(expect.arrayContaining([expect.objectContaining({ customerId: 'cust-kept' })]));
  }, 40_000);
});

describe('npm run token', () => {
  it('prints a 12-hour token for a user of the directory, signed with the configured secret', () => {
    const res = run('scripts/token.ts', { ENVIRONMENT: 'development' }, ['--user', 'admin', '--role', 'Administrator']);

    expect(res.status).toBe(0);
    const claims = jwt.verify(res.stdout.trim(), process.env.JWT_SECRET as string, {
      algorithms: ['HS256'],
    }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'user-admin', role: 'Administrator', email: 'admin@example.com' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(12 * 3600);
  });

  it('refuses in production', () => {
    const res = run('scripts/token.ts', { ...PRODUCTION }, ['--user', 'alice']);

    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('refusing to sign a token with ENVIRONMENT=production');
  });
});
