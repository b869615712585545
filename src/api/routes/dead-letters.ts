import { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { getDeadLetter, listDeadLetters, replayDeadLetter, type StoredDeadLetter } from '../../queues/dead-letter';
import type { Queues } from '../../queues/queues';
import type { ServiceDeps } from '../../services/deps';
import { NotFoundError } from '../../services/errors';
import { fail, ok } from '../envelope';
import { authenticate, requireRole } from '../middleware/authenticate';
import { needsRedis } from '../middleware/dependencies';
import { validate } from '../middleware/validate';
import { pageQuery, queryInt } from '../schemas/common';

export const deadLettersQuery = z.strictObject({ page: pageQuery.page, limit: queryInt(1, 100, 20) });
/** `<queue>-<job id>` (dead-letter.ts), never taken for a static path. */
export const deadLetterIdParam = z.strictObject({
  id: z
    .string()
    .max(300)
    .regex(/^(emails|customer-stats|analytics|refunds)-[A-Za-z0-9_.-]+$/, 'Must be a dead letter id like emails-<job id>'),
});

function presentDeadLetter(d: StoredDeadLetter) {
  return {
    id: d.id,
    queue: d.queue,
    jobId: d.jobId,
    name: d.name,
    data: d.data,
    failedReason: d.failedReason,
    attemptsMade: d.attemptsMade,
    createdAt: new Date(d.createdAt).toISOString(),
    processedAt: d.processedAt === null ? null : new Date(d.processedAt).toISOString(),
    failedAt: new Date(d.failedAt).toISOString(),
    deadLetteredAt: new Date(d.deadLetteredAt).toISOString(),
  };
}

/** Jobs that failed for good, for administrators: list, inspect, replay (DESIGN.md 10). */
export function deadLettersRoutes(_deps: ServiceDeps, redis: Redis, queues?: Queues): Router {
  const r = Router();
  r.use(authenticate, requireRole('Administrator'));
  r.use((_req, res, next) => {
    if (queues) return next();
    fail(res, 503, 'Job queues unavailable', [{ field: 'queues', message: 'This process has no job queues' }]);
  });
  r.use(needsRedis(redis));

  r.get('/', validate({ query: deadLettersQuery }), async (req, res) => {
    const { page, limit } = req.query as unknown as z.infer<typeof deadLettersQuery>;
    const { rows, total } = await listDeadLetters((queues as Queues)['dead-letter'], page, limit);
    const totalPages = Math.ceil(total / limit);
    ok(res, 'Dead letters retrieved successfully', {
      deadLetters: rows.map(presentDeadLetter),
      pagination: { currentPage: page, totalPages, totalItems: total, itemsPerPage: limit, hasNextPage: page < totalPages, hasPreviousPage: page > 1 },
    });
  });

  r.get('/:id', validate({ params: deadLetterIdParam }), async (req, res) => {
    const found = await getDeadLetter((queues as Queues)['dead-letter'], (req.params as z.infer<typeof deadLetterIdParam>).id);
    if (!found) throw new NotFoundError('Dead letter', 'id');
    ok(res, 'Dead letter retrieved successfully', presentDeadLetter(found.letter));
  });

  r.post('/:id/replay', validate({ params: deadLetterIdParam }), async (req, res) => {
    const replayed = await replayDeadLetter(queues as Queues, (req.params as z.infer<typeof deadLetterIdParam>).id);
    if (!replayed) throw new NotFoundError('Dead letter', 'id');
    ok(res, 'Job replayed', replayed);
  });

  return r;
}
