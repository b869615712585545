import request from 'supertest';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { clientKeyOf } from '../src/api/middleware/rate-limit';

const t = useTestApp({ rateLimit: { max: 3, windowMs: 60_000 } });

describe('rate limiting of the public API', () => {
  it('answers 429 in the envelope once a client exceeds its budget, counting in Redis', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(t.app).get('/api/orders/me').set(as('alice'))).status);

    const over = await request(t.app).get('/api/orders/me').set(as('alice'));

    expect(statuses).toEqual([200, 200, 200]);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ success: false, message: 'Too many requests', errors: [{ field: 'rate' }] });
    expect(over.headers.ratelimit).toBeDefined();
    const keys = await t.redis.keys(`${process.env.QUEUE_PREFIX}:ratelimit:*`);
    expect(keys.length).toBe(1);
  });

  it('counts a request before reading its body, so even a body over the size limit is answered with the RateLimit headers', async () => {
    const huge = JSON.stringify({ notes: 'x'.repeat(200 * 1024) });

    const res = await request(t.app)
      .post('/api/orders')
      .set(as('bob'))
      .set('content-type', 'application/json')
      .send(huge);

    expect([413, 429]).toContain(res.status);
    expect(res.headers.ratelimit).toBeDefined();
    expect(res.headers['ratelimit-policy']).toBeDefined();
  });

  it('does not limit the health checks or the internal service API, whatever the budget the same client spent on the public API', async () => {
    const serviceKey = { 'x-service-api-key': process.env.SERVICE_API_KEY as string };
    const [publicCalls, health, internal]: number[][] = [[], [], []];

    // Twice the budget (3) of each, from one client in one window.
    for (let i = 0; i < 6; i++) {
      publicCalls.push((await request(t.app).get('/api/orders/me').set(as('bob'))).status);
      health.push((await request(t.app).get('/health')).status);
      internal.push((await request(t.app).get('/api/orders/internal/customer/c-x/count').set(serviceKey)).status);
    }

    expect(publicCalls).toContain(429);
    expect(health).toEqual(Array(6).fill(200));
    expect(internal).toEqual(Array(6).fill(200));
  });

  it('counts the addresses of one IPv6 /56 network as one client, and IPv4-mapped addresses as their IPv4 address, however often they are seen', () => {
    const seen = [1, 2].map(() => [
      clientKeyOf('2001:db8:1:2::1'),
      clientKeyOf('2001:db8:1:3::9'),
      clientKeyOf('2001:db8:2::1'),
      clientKeyOf('::ffff:10.1.2.3'),
    ]);

    expect(seen[0]).toEqual(seen[1]);
    const [a, sameNetwork, otherNetwork, mapped] = seen[1];
    expect(sameNetwork).toBe(a);
    expect(otherNetwork).not.toBe(a);
    expect(mapped).toBe('10.1.2.3');
  });
});
