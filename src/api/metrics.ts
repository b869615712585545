import { Router, type RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import { config } from '../config';
import { METRICS_TOKEN_REQUIRED, metricsAccess } from '../infra/metrics-access';
import { registerDependencyGauge } from '../infra/readiness';
import { lastCheck } from '../services/attention/overdue';
import type { RedisClient } from '../infra/redis';
import { fail } from './envelope';
import { WORK_QUEUE_NAMES } from '../shared/names';

/**
 * Prometheus metrics of one API process: HTTP latency by route, and on each scrape the
 * depth of every queue and its job outcomes (completed/failed counts as BullMQ keeps them),
 * the workers connected to each work queue, and whether MongoDB and Redis answer (readiness).
 */
export function createMetrics(queues: Queue[], redis: RedisClient): { middleware: RequestHandler; routes: Router } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerDependencyGauge(registry, redis);

  // Both by method, route pattern and status.
  const byRoute = { labelNames: ['method', 'route', 'status'] as const, registers: [registry] };
  const latency = new Histogram({
    name: 'orms_http_request_duration_seconds',
    help: 'HTTP request latency',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ...byRoute,
  });
  const requests = new Counter({ name: 'orms_http_requests_total', help: 'HTTP requests', ...byRoute });
  new Gauge({
    name: 'orms_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed, completed)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (q) => {
          const counts = await q
            .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children')
            .catch(() => null);
          for (const [state, n] of Object.entries(counts ?? {})) this.set({ queue: q.name, state }, n);
        }),
      );
    },
  });

  // A queue no process works never fails: its jobs just wait. So the count of workers is
  // watched itself (deploy/prometheus/alerts.yml: OrmsQueueWithoutWorkers).
  const worked: readonly string[] = WORK_QUEUE_NAMES;
  new Gauge({
    name: 'orms_queue_workers',
    help: "Workers connected to each work queue (BullMQ's count of worker connections; 0: no process works it)",
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues
          .filter((q) => worked.includes(q.name))
          .map(async (q) => {
            const n = await q.getWorkersCount().catch(() => null);
            if (n !== null) this.set({ queue: q.name }, n);
          }),
      );
    },
  });

  new Gauge({
    name: 'orms_overdue',
    help: 'Overdue work as the last scheduled check found it: orders not shipped, return requests not reviewed within their SLA',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const last = await lastCheck().catch(() => null);
      if (!last) return;
      this.set({ kind: 'orders' }, last.orders);
      this.set({ kind: 'returns' }, last.returns);
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const end = latency.startTimer();
    // Label by route pattern, not URL, so order ids do not explode the label set. Express
    // sets req.route inside the matching router and restores req.baseUrl on the way out,
    // so the pattern's mount path is captured at the moment the route is set.
    let matched: { path?: unknown } | undefined;
    let pattern = 'unmatched';
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => matched,
      set: (route: { path?: unknown } | undefined) => {
        matched = route;
        if (route?.path !== undefined) pattern = `${req.baseUrl}${String(route.path)}`;
      },
    });
    res.on('finish', () => {
      const route = pattern;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      end(labels);
      requests.inc(labels);
    });
    next();
  };

  const mayRead = metricsAccess(config.METRICS_TOKEN);
  const routes = Router();
  routes.get('/metrics', async (req, res) => {
    if (!mayRead(req.get('authorization'))) {
      fail(res, 401, 'Unauthorized', [METRICS_TOKEN_REQUIRED]);
      return;
    }
    res.set('content-type', registry.contentType).send(await registry.metrics());
  });
  return { middleware, routes };
}
