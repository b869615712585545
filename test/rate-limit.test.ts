import request from 'supertest';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

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

    const res = await request(t.app).post('/api/orders').set(as('bob')).set('content-type', 'application/json').send(huge);

    expect([413, 429]).toContain(res.status);
    expect(res.headers.ratelimit).toBeDefined();
    expect(res.headers['ratelimit-policy']).toBeDefined();
  });

  it('does not limit the health checks or the internal service API', async () => {
    const health = await request(t.app).get('/health');
    const internal = await request(t.app).get('/api/orders/internal/customer/c-x/count');

    expect(health.status).toBe(200);
    expect(internal.status).not.toBe(429);
  });
});
