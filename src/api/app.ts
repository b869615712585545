import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { RedisClient } from '../infra/redis';
import passport from 'passport';
import { pinoHttp } from 'pino-http';
import { config } from '../config';
import { logger } from '../logger';
import type { ServiceDeps } from '../services/deps';
import type { Queues } from '../queues/queues';
import { createMetrics } from './metrics';
import { errorHandler, notFound } from './middleware/errors';
import { jsonBody, jsonOnly } from './middleware/json-body';
import { needsMongo } from './middleware/dependencies';
import { rateLimiter, serviceKeyLimiter, type RateLimitOptions } from './middleware/rate-limit';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { adminOrdersRoutes } from './routes/admin-orders';
import { analyticsRoutes } from './routes/analytics';
import { bulkRoutes } from './routes/bulk';
import { exportsRoutes } from './routes/exports';
import { deadLettersRoutes } from './routes/dead-letters';
import { eventsRoutes } from './routes/events';
import { internalRoutes } from './routes/internal';
import { customerOrderRoutes, singleOrderRoutes } from './routes/orders';
import { returnsRoutes } from './routes/returns';
import { webhooksRoutes } from './routes/webhooks';

export interface AppDeps {
  services: ServiceDeps;
  redis: RedisClient;
  /** The queues: their depth for /metrics, the dead letters for operators. */
  queues: Queues;
  /** Public API rate limit; defaults to the configured one, `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** Extra routers mounted before the order routes (e.g. the operators' board). */
  extraRouters?: { path: string; router: Router }[];
}

/** Builds the HTTP app; connecting and listening are server.ts's business. */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);

  const metrics = config.METRICS_ENABLED ? createMetrics(Object.values(deps.queues), deps.redis) : null;
  if (metrics) app.use(metrics.middleware);

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      // Headers are left out: they are noise, and may carry credentials.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' || req.url === '/metrics' },
    }),
  );
  app.use(helmet());
  app.use(
    cors({
      origin: config.CORS_ORIGINS,
      exposedHeaders: ['x-request-id', 'Idempotent-Replayed', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
    }),
  );
  if (deps.rateLimit !== false) {
    const limiter = rateLimiter(deps.redis, deps.rateLimit);
    // Before the body is read: a client over its budget costs no parsing. Internal calls
    // come from our own services, which have their own budgets.
    app.use('/api', (req, res, next) => (req.path.startsWith('/orders/internal/') ? next() : limiter(req, res, next)));
  }
  // Judged as it arrives, before who sent it, as 413 is: the same answer whatever the
  // credentials, and no route, use case or database ever sees the request. Only under
  // /api: the board answers a form body by its own rules (board.ts).
  app.use('/api', jsonOnly);
  app.use(jsonBody(config.BODY_LIMIT));
  app.use(passport.initialize());

  app.use(healthRoutes(deps.redis));
  // Off in production unless opened (DOCS_ENABLED): they then answer 404 like any unknown path.
  if (config.DOCS_ENABLED) app.use(docsRoutes());
  if (metrics) app.use(metrics.routes);
  for (const { path, router } of deps.extraRouters ?? []) app.use(path, router);
  // Every static path under /api/orders is mounted before the `/:orderId` routes, so
  // `/me`, `/search`, `/returns`, `/analytics` and `/internal/...` are never taken for an id.
  // Dead letters live in Redis; every other route needs MongoDB.
  app.use('/api/orders/dead-letters', deadLettersRoutes(deps.redis, deps.queues));
  app.use('/api', needsMongo);
  app.use('/api/orders/internal', serviceKeyLimiter(deps.redis), internalRoutes());
  app.use('/api/orders/returns', returnsRoutes(deps.services));
  app.use('/api/orders/webhooks', webhooksRoutes(deps.redis, deps.queues, deps.services));
  app.use('/api/orders/events', eventsRoutes(deps.redis));
  app.use('/api/orders/bulk', bulkRoutes(deps.redis, deps.queues));
  app.use('/api/orders/exports', exportsRoutes(deps.redis, deps.queues, deps.services));
  app.use('/api/orders/analytics', analyticsRoutes());
  app.use('/api/orders', customerOrderRoutes(deps.services));
  app.use('/api/orders', adminOrdersRoutes(deps.services));
  app.use('/api/orders', singleOrderRoutes(deps.services));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
