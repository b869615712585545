import { Router } from 'express';
import type { RedisClient } from '../../infra/redis';
import { checkDependencies } from '../../infra/readiness';
import { ok } from '../envelope';
import { RETRY_AFTER_SECONDS } from '../middleware/dependencies';

/** Liveness (the process answers) and readiness (its dependencies answer). */
export function healthRoutes(redis: RedisClient): Router {
  const r = Router();
  r.get('/health', (_req, res) => {
    ok(res, 'Service is alive', { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  r.get('/ready', async (_req, res) => {
    const up = await checkDependencies(redis);
    const checks = { mongodb: up.mongodb ? 'up' : 'down', redis: up.redis ? 'up' : 'down' };
    if (up.mongodb && up.redis) {
      ok(res, 'Service is ready', { status: 'ready', checks });
      return;
    }
    const errors = Object.entries(checks)
      .filter(([, v]) => v === 'down')
      .map(([field]) => ({ field, message: `${field} is not answering` }));
    res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res
      .status(503)
      .json({ success: false, message: 'Service is not ready', errors, data: { status: 'not ready', checks } });
  });
  return r;
}
