import { Router } from 'express';
import type { ServiceDeps } from '../../services/deps';
import { listReturns } from '../../services/returns/list-returns';
import { reviewReturn } from '../../services/returns/review-return';
import { ok } from '../envelope';
import { handle } from '../handler';
import { administratorsOnly, principalOf } from '../middleware/authenticate';
import { presentReturnPage, presentReview } from '../presenters/returns';
import { requestMeta } from '../request-meta';
import { listReturnsQuery, returnIdParam, reviewReturnBody } from '../schemas/returns';

/** The desk's return requests (guide 3.2.6, 3.2.7), administrators only. */
export function returnsRoutes(deps: ServiceDeps): Router {
  const r = Router();

  r.get(
    '/',
    ...administratorsOnly,
    handle({ query: listReturnsQuery }, async ({ query }, _req, res) => {
      ok(res, 'Return requests retrieved successfully', presentReturnPage(await listReturns(query)));
    }),
  );

  r.patch(
    '/:returnId/review',
    ...administratorsOnly,
    handle({ params: returnIdParam, body: reviewReturnBody }, async ({ params, body }, req, res) => {
      const reviewed = await reviewReturn(deps, principalOf(req), params.returnId, body, requestMeta(req));
      ok(res, `Return request ${body.decision} successfully`, presentReview(reviewed));
    }),
  );

  return r;
}
