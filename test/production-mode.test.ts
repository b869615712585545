import request from 'supertest';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { GENERATED_SECRETS } from './helpers/production-secrets';

const { METRICS_TOKEN } = GENERATED_SECRETS;
const PRODUCTION = {
  ENVIRONMENT: 'production',
  JWT_SECRET: GENERATED_SECRETS.JWT_SECRET,
  SERVICE_API_KEY: GENERATED_SECRETS.SERVICE_API_KEY,
  METRICS_TOKEN,
  // The tests' own environment lets webhooks reach loopback; production refuses that.
  WEBHOOK_ALLOW_PRIVATE_URLS: 'false',
};

let api: ApiProcess;
beforeAll(async () => {
  api = await startApiProcess(PRODUCTION);
}, 30_000);
afterAll(async () => {
  await api?.kill();
});

describe('an API started with ENVIRONMENT=production', () => {
  it.each(['/docs', '/openapi.json'])(
    'answers %s with 404 in the envelope (DOCS_ENABLED is off by default)',
    async (path) => {
      const res = await request(api.url).get(path);

      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        success: false,
        message: 'Route not found',
        errors: [{ field: 'path', message: `No route for GET ${path}` }],
      });
    },
  );

  it('wants the bearer token on /metrics: 401 without it, 200 with it', async () => {
    const without = await request(api.url).get('/metrics');
    const wrong = await request(api.url).get('/metrics').set('Authorization', 'Bearer not-the-token');
    const right = await request(api.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);

    expect(without.status).toBe(401);
    expect(without.body).toMatchObject({ success: false, errors: [{ field: 'authorization' }] });
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(200);
    expect(right.text).toContain('orms_http_requests_total');
  });
});
