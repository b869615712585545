import { z } from 'zod';
import { onlyIfValid, pageQuery, queryInt, refuseDeepPage } from './common';
import { WORK_QUEUE_NAMES } from '../../shared/names';

export const deadLettersQuery = z
  .strictObject({ page: pageQuery.page, limit: queryInt(1, 100, 20) })
  .superRefine(refuseDeepPage, { when: onlyIfValid });

/** `<queue>-<job id>` (queues/dead-letter.ts), never taken for a static path. */
export const deadLetterIdParam = z.strictObject({
  id: z
    .string()
    .max(300)
    .regex(
      new RegExp(`^(${WORK_QUEUE_NAMES.join('|')})-[A-Za-z0-9_.-]+$`),
      'Must be a dead letter id like emails-<job id>',
    ),
});
