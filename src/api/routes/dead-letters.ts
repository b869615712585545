import { Router } from 'express';
import type { RedisClient } from '../../infra/redis';
import { getDeadLetter, listDeadLetters, replayDeadLetter } from '../../queues/dead-letter';
import type { Queues } from '../../queues/queues';
import { NotFoundError } from '../../shared/errors';
import { ok } from '../envelope';
import { handle } from '../handler';
import { administratorsOnly } from '../middleware/authenticate';
import { needsRedis } from '../middleware/dependencies';
import { presentDeadLetter, presentDeadLetterPage } from '../presenters/dead-letters';
import { deadLetterIdParam, deadLettersQuery } from '../schemas/dead-letters';

/** Jobs that failed for good, for administrators: list, inspect, replay (DESIGN.md 10). */
export function deadLettersRoutes(redis: RedisClient, queues: Queues): Router {
  const r = Router();
  r.use(...administratorsOnly, needsRedis(redis));

  r.get(
    '/',
    handle({ query: deadLettersQuery }, async ({ query }, _req, res) => {
      ok(
        res,
        'Dead letters retrieved successfully',
        presentDeadLetterPage(await listDeadLetters(queues['dead-letter'], query.page, query.limit)),
      );
    }),
  );

  r.get(
    '/:id',
    handle({ params: deadLetterIdParam }, async ({ params }, _req, res) => {
      const found = await getDeadLetter(queues['dead-letter'], params.id);
      if (!found) throw new NotFoundError('Dead letter', 'id');
      ok(res, 'Dead letter retrieved successfully', presentDeadLetter(found.letter));
    }),
  );

  r.post(
    '/:id/replay',
    handle({ params: deadLetterIdParam }, async ({ params }, _req, res) => {
      const replayed = await replayDeadLetter(queues, params.id);
      if (!replayed) throw new NotFoundError('Dead letter', 'id');
      ok(res, 'Job replayed', replayed);
    }),
  );

  return r;
}
