import { Redis } from 'ioredis';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server';

/**
 * The public limit is one budget for the whole cluster, while each API process asks Redis
 * for places in batches: two API processes on their own Redis, a budget of 500 a day
 * (batches of 5), and 700 requests spread over both.
 */
const BUDGET = 500;
const WINDOW_MS = 86_400_000;
let redis: OwnRedis;
let apis: ApiProcess[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  // Windows are aligned to the clock: a test that straddles midnight (UTC) would see two budgets.
  const toMidnight = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (toMidnight < 60_000) await new Promise((r) => setTimeout(r, toMidnight + 100));
  const env = { REDIS_URL: redis.url, RATE_LIMIT_MAX: String(BUDGET), RATE_LIMIT_WINDOW_MS: String(WINDOW_MS) };
  apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
}, 60_000);
afterAll(async () => {
  await Promise.all(apis.map((a) => a.kill()));
  await redis?.stop();
});

const incrbyCalls = async (): Promise<number> => {
  const client = new Redis(redis.url);
  try {
    return Number(/cmdstat_incrby:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
};

describe('the public rate limit across API processes', () => {
  it('lets at most the budget through in all, refusing no more than a batch early per process, with one Redis claim per batch', async () => {
    const statuses: number[] = [];
    // 35 at once, so many requests of a process wait on one claim of 5 places.
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(
        Array.from({ length: 35 }, (_, i) => fetch(`${apis[i % 2].url}/api/orders/no-such-path`)),
      );
      statuses.push(...answers.map((a) => a.status));
    }

    const through = statuses.filter((s) => s !== 429).length;
    // No token: each request counted is answered 401, each refused 429.
    expect([...new Set(statuses)].sort()).toEqual([401, 429]);
    expect(through).toBeLessThanOrEqual(BUDGET);
    expect(through).toBeGreaterThanOrEqual(BUDGET - 2 * (5 - 1));
    // 100 claims of 5 places make the budget; each process then learns it is spent once.
    expect(await incrbyCalls()).toBeLessThanOrEqual(BUDGET / 5 + 2 * 2);
  });
});
