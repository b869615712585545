import { Router } from 'express';
import type { RedisClient } from '../../infra/redis';
import { queueBulkStatusChange } from '../../queues/bulk-jobs';
import type { Queues } from '../../queues/queues';
import { createBulkStatusChange, getBulkOperation } from '../../services/bulk/bulk-status';
import { ok } from '../envelope';
import { handle } from '../handler';
import { administratorsOnly, principalOf } from '../middleware/authenticate';
import { needsRedis } from '../middleware/dependencies';
import { presentBulkOperation } from '../presenters/bulk';
import { bulkIdParam, bulkStatusBody } from '../schemas/bulk';

/** Bulk status changes for the desk: asked for here, done by the `bulk` worker. */
export function bulkRoutes(redis: RedisClient, queues: Queues): Router {
  const r = Router();
  r.use(...administratorsOnly);

  r.post(
    '/status',
    needsRedis(redis),
    handle({ body: bulkStatusBody }, async ({ body }, req, res) => {
      const principal = principalOf(req);
      const op = await createBulkStatusChange(principal, body);
      await queueBulkStatusChange(queues, op._id, principal);
      ok(res, 'Bulk status change queued', { bulkId: op._id }, 202);
    }),
  );

  r.get(
    '/:bulkId',
    handle({ params: bulkIdParam }, async ({ params }, _req, res) => {
      ok(res, 'Bulk status change retrieved successfully', presentBulkOperation(await getBulkOperation(params.bulkId)));
    }),
  );

  return r;
}
