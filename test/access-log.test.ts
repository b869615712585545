import request from 'supertest';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { eventually } from './helpers/test-app';
import { as, bearer, tokenOf } from './helpers/tokens';

let api: ApiProcess;
beforeAll(async () => {
  api = await startApiProcess({});
}, 30_000);
afterAll(async () => {
  await api?.kill();
});

interface LogLine {
  level: number;
  msg?: string;
  req?: { id?: string; method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

const linesOf = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

/** The access line of the request with this id, once the API has written it. */
const accessLineOf = (requestId: string): Promise<LogLine> =>
  eventually(
    async () => linesOf(api.output()).find((l) => l.req?.id === requestId && l.res?.statusCode !== undefined),
    5000,
    `the access line of ${requestId}`,
  );

describe('the access log of the API', () => {
  it('writes one line per request naming its id, method, path, status and time', async () => {
    await request(api.url).get('/api/orders/me').set(as('alice')).set('x-request-id', 'access-log-ok-1').expect(200);

    const line = await accessLineOf('access-log-ok-1');

    expect(line).toMatchObject({
      level: 30,
      req: { id: 'access-log-ok-1', method: 'GET', url: '/api/orders/me' },
      res: { statusCode: 200 },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(linesOf(api.output()).filter((l) => l.req?.id === 'access-log-ok-1')).toHaveLength(1);
  });

  it('logs a client error as a warning, with the request it answered', async () => {
    await request(api.url)
      .get('/api/orders/ORD-2026-999999')
      .set(as('alice'))
      .set('x-request-id', 'access-log-404-1')
      .expect(404);

    const line = await accessLineOf('access-log-404-1');

    expect(line).toMatchObject({
      level: 40,
      req: { method: 'GET', url: '/api/orders/ORD-2026-999999' },
      res: { statusCode: 404 },
    });
  });

  it('leaves the headers out, and with them the credentials', async () => {
    const token = tokenOf('bob');
    await request(api.url)
      .get('/api/orders/me')
      .set(bearer(token))
      .set('x-request-id', 'access-log-secret-1')
      .expect(200);

    const line = await accessLineOf('access-log-secret-1');

    expect(JSON.stringify(line)).not.toMatch(/authorization|headers/i);
    expect(api.output()).not.toContain(token.split('.')[2]);
  });
});
