import { Router } from 'express';
import { getAnalytics } from '../../services/analytics/report';
import { ok } from '../envelope';
import { handle } from '../handler';
import { authenticate, requireRole } from '../middleware/authenticate';
import { presentAnalytics } from '../presenters/analytics';
import { analyticsQuery } from '../schemas/analytics';

/** Guide 3.2.8: order analytics for administrators, read from the daily rollups. */
export function analyticsRoutes(): Router {
  const r = Router();
  r.get(
    '/',
    authenticate,
    requireRole('Administrator'),
    handle({ query: analyticsQuery }, async ({ query }, _req, res) => {
      ok(res, 'Analytics retrieved successfully', presentAnalytics(await getAnalytics(query)));
    }),
  );
  return r;
}
