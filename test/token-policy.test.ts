import request from 'supertest';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { bearer, tokenFor, users } from './helpers/tokens';

/** An API with the optional token policy switched on, as a production deployment may. */
const POLICY = { JWT_ISSUER: 'https://auth.rman.example', JWT_AUDIENCE: 'orms', JWT_MAX_LIFETIME_SECONDS: '900' };

let api: ApiProcess;
beforeAll(async () => {
  api = await startApiProcess(POLICY);
}, 30_000);
afterAll(async () => {
  await api?.kill();
});

const alice = { sub: users.alice._id, role: 'Customer' };
const issued = { issuer: POLICY.JWT_ISSUER, audience: POLICY.JWT_AUDIENCE };
const me = (token: string) => request(api.url).get('/api/orders/me').set(bearer(token));

describe('the token policy (JWT_ISSUER, JWT_AUDIENCE, JWT_MAX_LIFETIME_SECONDS)', () => {
  it('lets through a token from the issuer, for this audience, living 15 minutes', async () => {
    expect((await me(tokenFor(alice, { ...issued, expiresIn: 900 }))).status).toBe(200);
  });

  it.each([
    ['no issuer', { audience: POLICY.JWT_AUDIENCE, expiresIn: 900 }],
    ['another issuer', { ...issued, issuer: 'https://evil.example', expiresIn: 900 }],
    ['another audience', { ...issued, audience: 'some-other-service', expiresIn: 900 }],
    ['a lifetime of an hour', { ...issued, expiresIn: 3600 }],
    ['no issued-at time', { ...issued, expiresIn: 600, noTimestamp: true }],
  ])('answers 401 to a token with %s', async (_what, options) => {
    const res = await me(tokenFor(alice, options));

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, message: 'Unauthorized', errors: [{ field: 'authorization' }] });
  });

  it('lets through a token issued 30 s ahead of our clock, within JWT_CLOCK_TOLERANCE_SECONDS (60)', async () => {
    const iat = Math.floor(Date.now() / 1000) + 30;

    expect((await me(tokenFor({ ...alice, iat }, { ...issued, expiresIn: 600 }))).status).toBe(200);
  });

  it('answers 401 to a token issued ten years from now, however short the lifetime it claims', async () => {
    const iat = Math.floor(Date.now() / 1000) + 10 * 365 * 86_400;
    const res = await me(tokenFor({ ...alice, iat }, { ...issued, expiresIn: 600 }));

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, message: 'Unauthorized', errors: [{ field: 'authorization' }] });
  });
});
