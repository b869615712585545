import { randomInt } from 'node:crypto';
import request from 'supertest';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { as } from './helpers/tokens';

/**
 * The limits that stand between the service and someone guessing or flooding, on an API
 * process behind one proxy (TRUST_PROXY=1): every request carries the X-Forwarded-For the
 * proxy would send, a part the client made up followed by the address the proxy saw.
 */
const LIMITS = { RATE_LIMIT_MAX: '8', SERVICE_KEY_MAX_FAILURES: '5', BOARD_LOGIN_MAX_FAILURES: '3' };
const OPERATOR = { user: 'operator', password: 'board-password-for-tests' };

let api: ApiProcess;
beforeAll(async () => {
  api = await startApiProcess({
    TRUST_PROXY: '1',
    ...LIMITS,
    BOARD_USER: OPERATOR.user,
    BOARD_PASSWORD: OPERATOR.password,
  });
}, 30_000);
afterAll(async () => {
  await api?.kill();
});

/** What a client at `address` sends through the proxy, with a different made-up address each time. */
const viaProxy = (address: string) => ({
  'x-forwarded-for': `198.51.100.${randomInt(1, 255)}, 10.9.${randomInt(0, 255)}.${randomInt(1, 255)}, ${address}`,
});
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function statuses(n: number, send: () => request.Test): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send()).status);
  return out;
}

/**
 * Sends until the first 429 (at most 20 times). Returns the statuses of the answers the
 * limiter counted, which carry the RateLimit headers: one Redis could not count in time
 * (a loaded machine) passes uncounted, as the limiter fails open by design.
 */
async function untilLimited(send: () => request.Test): Promise<{ counted: number[]; last: request.Response }> {
  const counted: number[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await send();
    if (res.status === 429) return { counted, last: res };
    if (res.headers.ratelimit) counted.push(res.status);
  }
  throw new Error(`no 429 after 20 requests; counted: ${counted.join(', ')}`);
}

const expectLimited = (res: request.Response, field: string) => {
  expect(res.status).toBe(429);
  expect(res.body).toMatchObject({ success: false, message: 'Too many requests', errors: [{ field }] });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.headers['ratelimit-policy']).toBeDefined();
};

describe('behind one proxy (TRUST_PROXY=1), a client that forges X-Forwarded-For', () => {
  it('still hits the public API limit, counted by the address the proxy saw', async () => {
    const me = (address: string) => request(api.url).get('/api/orders/me').set(as('alice')).set(viaProxy(address));

    const { counted, last } = await untilLimited(() => me('203.0.113.1'));
    const neighbour = await me('203.0.113.2');

    expect(counted).toEqual(Array(8).fill(200));
    expectLimited(last, 'rate');
    expect(neighbour.status).toBe(200);
  });

  it('gets 429 after SERVICE_KEY_MAX_FAILURES wrong service keys a minute; the right key is never limited', async () => {
    let sent = 0; // wrong keys and missing ones alike
    const count = (key: string | undefined, address: string) => {
      const r = request(api.url).get('/api/orders/internal/customer/c-x/count').set(viaProxy(address));
      return key === undefined ? r : r.set('x-service-api-key', key);
    };

    const { counted, last } = await untilLimited(() =>
      count(sent++ % 2 ? undefined : 'not-the-service-key', '203.0.113.3'),
    );
    const right = await statuses(12, () => count(process.env.SERVICE_API_KEY, '203.0.113.3'));

    expect(counted).toEqual(Array(5).fill(401));
    expectLimited(last, 'x-service-api-key');
    expect(right).toEqual(Array(12).fill(200));
  });

  it('gets 429 after BOARD_LOGIN_MAX_FAILURES wrong board passwords, and then even the right one is refused', async () => {
    const login = (password: string, address: string) =>
      request(api.url)
        .get('/admin/queues/api/queues')
        .set('authorization', basic(OPERATOR.user, password))
        .set(viaProxy(address));

    const { counted, last } = await untilLimited(() => login('guess', '203.0.113.4'));
    const right = await login(OPERATOR.password, '203.0.113.4');
    const elsewhere = await login(OPERATOR.password, '203.0.113.5');

    expect(counted).toEqual([401, 401, 401]);
    expectLimited(last, 'authorization');
    expectLimited(right, 'authorization');
    expect(elsewhere.status).toBe(200);
  });

  it('does not count an operator’s right logins against the board limit', async () => {
    const ok = await statuses(10, () =>
      request(api.url)
        .get('/admin/queues/api/queues')
        .set('authorization', basic(OPERATOR.user, OPERATOR.password))
        .set(viaProxy('203.0.113.6')),
    );

    expect(ok).toEqual(Array(10).fill(200));
  });
});
