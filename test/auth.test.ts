import jwt from 'jsonwebtoken';
import request from 'supertest';
import { Order } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { useTestApp } from './helpers/test-app';
import { as, bearer, tokenFor, users } from './helpers/tokens';

const t = useTestApp();

const alice = { sub: users.alice._id, role: 'Customer' };
const noneToken = () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...alice, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
};

describe('authentication of customer routes', () => {
  it.each([
    ['no token at all', {}],
    [
      'a token signed with another secret',
      bearer(tokenFor(alice, { expiresIn: '1h' }, 'some-other-secret-some-other-secret-xx')),
    ],
    ['an unsigned token (alg: none)', bearer(noneToken())],
    ['an expired token', bearer(tokenFor(alice, { expiresIn: -60 }))],
    ['a token without exp', bearer(tokenFor(alice, {}))],
    ['a token with an unknown role', bearer(tokenFor({ sub: users.alice._id, role: 'Superuser' }))],
    ['a token without a subject', bearer(tokenFor({ role: 'Customer' }))],
    [
      'an HS512 token',
      bearer(jwt.sign({ ...alice }, process.env.JWT_SECRET as string, { algorithm: 'HS512', expiresIn: '1h' })),
    ],
    ['a malformed Authorization header', { Authorization: 'Basic abc' }],
    ['a subject with a NUL in it', bearer(tokenFor({ ...alice, sub: 'u-alice\u0000000000000001' }))],
    ['a user id with a control character', bearer(tokenFor({ userId: 'u-alice\u001b[31m', role: 'Customer' }))],
    ['a name with a newline', bearer(tokenFor({ ...alice, name: 'Alice\nAdmin' }))],
    ['an email with a broken surrogate', bearer(tokenFor({ ...alice, email: 'alice\ud800@example.com' }))],
  ])('with %s, it answers 401 in the envelope', async (_what, headers) => {
    const res = await request(t.app)
      .get('/api/orders/me')
      .set(headers as Record<string, string>);

    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      success: false,
      message: 'Unauthorized',
      errors: [{ field: 'authorization', message: expect.any(String) }],
    });
  });

  it('with an expired token, the message says it expired', async () => {
    const res = await request(t.app)
      .get('/api/orders/me')
      .set(bearer(tokenFor(alice, { expiresIn: -60 })));

    expect(res.body.errors[0].message).toBe('Access token has expired');
  });

  it('accepts a valid token that names the user in userId instead of sub', async () => {
    const res = await request(t.app)
      .get('/api/orders/me')
      .set(bearer(tokenFor({ userId: users.alice._id, role: 'Customer' })));

    expect(res.status).toBe(200);
  });
});

describe('authorization by role', () => {
  it('when a customer calls an admin-only route, it answers 403 in the envelope', async () => {
    const res = await request(t.app).get('/api/orders').set(as('alice'));

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ success: false, message: 'Access denied', errors: [{ field: 'authorization' }] });
  });

  it('when an administrator calls the same route, it is let through', async () => {
    const res = await request(t.app).get('/api/orders').set(as('admin'));

    expect(res.status).toBe(200);
  });
});

describe('the Auth Service lookup', () => {
  it('when the Auth Service does not know the user, placing an order answers 401 and writes nothing', async () => {
    const ghost = bearer(tokenFor({ sub: 'u-nobody', role: 'Customer' }));

    const res = await request(t.app).post('/api/orders').set(ghost).send(guideOrderBody());

    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
    expect(await Order.countDocuments({ userId: 'u-nobody' })).toBe(0);
  });

  it('calls the Auth Service with our service key', async () => {
    await request(t.app).post('/api/orders').set(as('bob')).send(guideOrderBody());

    const call = t.auth.calls.find((c) => c.path === `/api/auth/user/${users.bob._id}`);
    expect(call?.apiKey).toBe(process.env.SERVICE_API_KEY);
  });
});
