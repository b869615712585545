import request from 'supertest';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp();

describe('Prometheus metrics', () => {
  it('reports HTTP latency by route pattern, not by URL', async () => {
    await request(t.app).get('/api/orders/me').set(as('alice'));
    await request(t.app).get('/api/orders/ORD-2026-999999').set(as('alice'));

    const res = await request(t.app).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.text).toMatch(
      /orms_http_request_duration_seconds_count\{method="GET",route="\/api\/orders\/me",status="200"\} 1/,
    );
    expect(res.text).toMatch(
      /orms_http_request_duration_seconds_count\{method="GET",route="\/api\/orders\/:orderId",status="404"\} 1/,
    );
    expect(res.text).not.toContain('ORD-2026-999999');
  });

  it('reports the depth of every queue', async () => {
    const res = await request(t.app).get('/metrics');

    for (const q of ['emails', 'customer-stats', 'analytics', 'refunds', 'dead-letter']) {
      expect(res.text).toContain(`orms_queue_jobs{queue="${q}",state="waiting"}`);
    }
  });

  it('reports that MongoDB and Redis answer, as /ready checks them', async () => {
    const res = await request(t.app).get('/metrics');

    expect(res.text).toMatch(/^orms_dependency_up\{dependency="mongodb"\} 1$/m);
    expect(res.text).toMatch(/^orms_dependency_up\{dependency="redis"\} 1$/m);
  });
});
