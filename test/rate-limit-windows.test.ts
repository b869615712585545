import express from 'express';
import request from 'supertest';
import { Redis } from 'ioredis';
import { boardLoginLimiter } from '../src/api/middleware/rate-limit';
import { createRedis, type RedisClient } from '../src/infra/redis';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server';
import { eventually } from './helpers/test-app';

/** Short windows, so a test can watch one end; the limiter keeps a counter 5 s past its window. */
const WINDOW_MS = 1000;
const RIGHT = 'Basic right';

let own: OwnRedis;
let redis: RedisClient;
/** The test's own connection: it pauses Redis and reads the counters. */
let admin: Redis;

beforeAll(async () => {
  // A private server: pausing the shared one would stall every other test file.
  own = await startOwnRedis();
  redis = createRedis('producer', own.url);
  admin = new Redis(own.url);
});

afterAll(async () => {
  redis.disconnect();
  admin.disconnect();
  await own.stop();
});

/** Behind the board's login limit: the right credentials answer 200 (the place is given back), others 401. */
function loginApp(max: number, beforeAnswer: () => Promise<void> = async () => undefined): express.Express {
  const app = express();
  app.use(boardLoginLimiter(redis, max, WINDOW_MS));
  app.get('/', async (req, res) => {
    await beforeAnswer();
    res.status(req.get('authorization') === RIGHT ? 200 : 401).end();
  });
  return app;
}

const counterKeys = () => admin.keys(`${process.env.QUEUE_PREFIX}:board-login:*`);
const counterOf = (window: number) =>
  admin.keys(`${process.env.QUEUE_PREFIX}:board-login:*:${window}`).then(([k]) => (k ? admin.get(k) : null));
const windowNow = () => Math.floor(Date.now() / WINDOW_MS);

/** Waits for a window to begin, so what follows has (nearly) a whole window before the next. */
const windowStart = () => eventually(async () => Date.now() % WINDOW_MS < 100, 3 * WINDOW_MS, 'a window to begin');

describe('rate-limit counters always expire', () => {
  afterEach(async () => {
    await admin.flushall();
  });

  it('gives a place back to the window it was taken from while that window lasts: right logins never use up the failed-login budget', async () => {
    const app = loginApp(2);
    await windowStart();

    const rights = [];
    for (let i = 0; i < 3; i++) rights.push((await request(app).get('/').set('authorization', RIGHT)).status);
    const wrongs = [];
    for (let i = 0; i < 3; i++) wrongs.push((await request(app).get('/').set('authorization', 'Basic wrong')).status);

    expect(rights).toEqual([200, 200, 200]);
    expect(wrongs).toEqual([401, 401, 429]);
  });

  it('a give-back that reaches Redis after the counter expired leaves no counter without a TTL behind', async () => {
    // The place is taken, then Redis stops taking writes until the counter has expired
    // (window end + 5 s): the give-back, sent as the response finishes, waits and lands late.
    const app = loginApp(5, async () => {
      await admin.call('CLIENT', 'PAUSE', String(WINDOW_MS + 6_500), 'WRITE');
    });
    await windowStart();

    const res = await request(app).get('/').set('authorization', RIGHT);
    // A write of the test's own returns once the pause is over and the give-back before it has run.
    await admin.set('probe-after-pause', '1');

    expect(res.status).toBe(200);
    const keys = await counterKeys();
    const ttls = await Promise.all(
      keys.map(async (k) => ({ key: k, value: await admin.get(k), pttl: await admin.pttl(k) })),
    );
    expect(ttls.filter((k) => k.pttl < 0)).toEqual([]);
  }, 30_000);

  it('a place whose window ended before its response is not given back to the next window: no extra place there', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const slow = loginApp(5, () => held);
    const app = loginApp(5);
    await windowStart();
    const first = windowNow();

    const slowAnswer = request(slow)
      .get('/')
      .set('authorization', RIGHT)
      .then((r) => r.status);
    await eventually(async () => windowNow() > first, 3 * WINDOW_MS, 'the next window');
    const next = windowNow();
    const wrong = await request(app).get('/').set('authorization', 'Basic wrong');
    release();
    const slowStatus = await slowAnswer;

    expect(wrong.status).toBe(401);
    expect(slowStatus).toBe(200);
    expect(await counterOf(next)).toBe('1');
  });
});
