import type { ServiceDeps } from '../../services/deps';
import { Router } from 'express';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { RedisClient } from '../../infra/redis';
import { queueExport } from '../../queues/export-jobs';
import type { Queues } from '../../queues/queues';
import { createExport, exportFile, getExport } from '../../services/exports/order-exports';
import { ok } from '../envelope';
import { handle } from '../handler';
import { administratorsOnly, principalOf } from '../middleware/authenticate';
import { needsRedis } from '../middleware/dependencies';
import { presentExport } from '../presenters/exports';
import { createExportBody, exportIdParam } from '../schemas/exports';

/** Order exports for the desk: asked for here, written by the `exports` worker, downloaded here. */
export function exportsRoutes(redis: RedisClient, queues: Queues, services: ServiceDeps): Router {
  const r = Router();
  r.use(...administratorsOnly);

  r.post(
    '/',
    needsRedis(redis),
    handle({ body: createExportBody }, async ({ body }, req, res) => {
      const created = await createExport(principalOf(req), body, services.settings);
      await queueExport(queues, created._id);
      ok(res, 'Export queued', { exportId: created._id }, 202);
    }),
  );

  r.get(
    '/:exportId',
    handle({ params: exportIdParam }, async ({ params }, _req, res) => {
      ok(res, 'Export retrieved successfully', presentExport(await getExport(params.exportId)));
    }),
  );

  r.get(
    '/:exportId/download',
    handle({ params: exportIdParam }, async ({ params }, req, res) => {
      const file = await exportFile(params.exportId, services.settings);
      res.status(200).type('text/csv; charset=utf-8').attachment(file.filename);
      // Streamed: memory stays the same whatever the size of the file. Once it has begun, a
      // failure (most often the client going away) can only end the response, which
      // pipeline has done; it is logged, not answered.
      await pipeline(createReadStream(file.path), res).catch((err: unknown) =>
        req.log.warn({ err, exportId: params.exportId }, 'export download ended early'),
      );
    }),
  );

  return r;
}
