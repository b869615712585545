import { Router } from 'express';
import type { RedisClient } from '../../infra/redis';
import { readFeed } from '../../services/events/event-feed';
import { ok } from '../envelope';
import { handle } from '../handler';
import { adminOrServiceKey } from '../middleware/admin-or-service';
import { eventsQuery } from '../schemas/webhooks';

/** The event feed: every committed event once, in a stable order (README "Webhooks"). */
export function eventsRoutes(redis: RedisClient): Router {
  const r = Router();
  r.get(
    '/',
    ...adminOrServiceKey(redis),
    handle({ query: eventsQuery }, async ({ query }, _req, res) => {
      ok(res, 'Events retrieved successfully', await readFeed({ after: query.after ?? null, limit: query.limit }));
    }),
  );
  return r;
}
