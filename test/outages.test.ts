import request from 'supertest';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { startOwnFerretDB, type OwnFerretDB } from './helpers/ferretdb-server';
import { smallOrderBody } from './helpers/fixtures';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server';
import { eventually } from './helpers/test-app';
import { as } from './helpers/tokens';

/**
 * What a client sees while MongoDB or Redis is down, on an API process with its own
 * FerretDB and Redis to take away. Server selection is given 20 s here, and every request
 * 5 s: once the driver has noticed the outage, an answer that waited for the database to
 * come back would time out. (A request in flight at the crash waits for that selection.)
 */
const OPERATOR = { user: 'operator', password: 'board-password-for-tests' };
const board = `Basic ${Buffer.from(`${OPERATOR.user}:${OPERATOR.password}`).toString('base64')}`;

let mongo: OwnFerretDB;
let redis: OwnRedis;
let api: ApiProcess;

beforeAll(async () => {
  [mongo, redis] = await Promise.all([startOwnFerretDB(), startOwnRedis()]);
  api = await startApiProcess({
    MONGODB_URI: mongo.uri('orms_outages'),
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: '20000',
    REDIS_URL: redis.url,
    BOARD_USER: OPERATOR.user,
    BOARD_PASSWORD: OPERATOR.password,
  });
}, 40_000);
afterAll(async () => {
  await api?.kill();
  await redis?.stop();
  await mongo?.destroy();
});

const get = (path: string) => request(api.url).get(path).set(as('admin')).timeout(5000);
const expectUnavailable = (res: request.Response, field: 'mongodb' | 'redis') => {
  expect(res.status).toBe(503);
  expect(res.body).toEqual({
    success: false,
    message: 'Service unavailable',
    errors: [{ field, message: expect.stringMatching(/is not answering; retry in a few seconds$/) }],
  });
  expect(res.headers['retry-after']).toBe('5');
};

describe('while MongoDB is down', () => {
  it('data routes answer 503 in the envelope with Retry-After, without waiting for the database', async () => {
    expect((await get('/api/orders')).status).toBe(200);

    await mongo.kill();
    // The driver notices at its next heartbeat (10 s) or when a pooled connection fails.
    await eventually(
      async () => (await get('/api/orders').catch(() => null))?.status === 503,
      25_000,
      'the driver to notice',
    );
    const list = await get('/api/orders');
    const create = await request(api.url).post('/api/orders').set(as('alice')).send(smallOrderBody()).timeout(5000);
    const internal = await request(api.url)
      .get('/api/orders/internal/customer/c-alice/count')
      .set('x-service-api-key', process.env.SERVICE_API_KEY as string)
      .timeout(5000);

    expectUnavailable(list, 'mongodb');
    expectUnavailable(create, 'mongodb');
    expectUnavailable(internal, 'mongodb');
  }, 40_000);

  it('routes that need only Redis keep serving', async () => {
    const deadLetters = await get('/api/orders/dead-letters');

    expect(deadLetters.status).toBe(200);
  });

  it('serves again by itself once MongoDB is back, and the refused order was never written', async () => {
    await mongo.restart();

    await eventually(
      async () => (await get('/api/orders')).status === 200,
      20_000,
      'the order list to answer 200 again',
    );
    const list = await get('/api/orders');

    expect(list.body.data.pagination.totalItems).toBe(0);
  }, 30_000);
});

describe('while Redis is down', () => {
  it('dead-letter routes and the board answer 503 in the envelope with Retry-After; orders keep serving', async () => {
    await redis.stop();

    const deadLetters = await eventually(
      async () => {
        const res = await get('/api/orders/dead-letters');
        return res.status !== 200 && res;
      },
      10_000,
      'the dead-letter list to notice',
    );
    const replay = await request(api.url)
      .post('/api/orders/dead-letters/emails-x/replay')
      .set(as('admin'))
      .timeout(5000);
    const boardPage = await request(api.url).get('/admin/queues/api/queues').set('authorization', board).timeout(5000);
    const orders = await get('/api/orders');

    expectUnavailable(deadLetters, 'redis');
    expectUnavailable(replay, 'redis');
    expectUnavailable(boardPage, 'redis');
    expect(orders.status).toBe(200);
  }, 30_000);

  it('serves them again by itself once Redis is back', async () => {
    redis = await startOwnRedis([], redis.port);

    await eventually(
      async () => (await get('/api/orders/dead-letters')).status === 200,
      15_000,
      'the dead-letter list to answer 200 again',
    );
    const boardPage = await request(api.url).get('/admin/queues/api/queues').set('authorization', board).timeout(5000);

    expect(boardPage.status).toBe(200);
  }, 30_000);
});
