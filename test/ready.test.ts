import request from 'supertest';
import { createRedis } from '../src/infra/redis';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server';
import { eventually, useTestApp } from './helpers/test-app';

let redis: OwnRedis;
beforeAll(async () => {
  redis = await startOwnRedis();
});
const t = useTestApp({ redis: () => createRedis('producer', redis.url) });
afterAll(async () => {
  await redis.stop();
});

describe('readiness', () => {
  it('answers GET /ready with 200 when MongoDB and Redis both answer', async () => {
    const res = await request(t.app).get('/ready');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      data: { status: 'ready', checks: { mongodb: 'up', redis: 'up' } },
    });
  });

  it('when Redis stops, answers 503 naming Redis, and the process keeps serving', async () => {
    await redis.stop();

    const res = await eventually(
      async () => {
        const r = await request(t.app).get('/ready');
        return r.status === 503 && r;
      },
      5000,
      '/ready to answer 503',
    );

    expect(res.body).toMatchObject({
      success: false,
      message: 'Service is not ready',
      errors: [{ field: 'redis' }],
      data: { checks: { mongodb: 'up', redis: 'down' } },
    });
    expect((await request(t.app).get('/health')).status).toBe(200);
  });

  it('when Redis comes back, answers 200 again without a restart', async () => {
    redis = await startOwnRedis([], redis.port);

    const res = await eventually(
      async () => {
        const r = await request(t.app).get('/ready');
        return r.status === 200 && r;
      },
      10_000,
      '/ready to answer 200 again',
    );

    expect(res.body.data.checks).toEqual({ mongodb: 'up', redis: 'up' });
  });
});
