import { Router } from 'express';
import type { ServiceDeps } from '../../services/deps';
import { listReturns } from '../../services/returns/list-returns';
import { reviewReturn } from '../../services/returns/review-return';
import { ok } from '../envelope';
import { authenticate, principalOf, requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { presentPagination } from '../presenters/orders';
import { presentReturnRequest, presentReview } from '../presenters/returns';
import { requestMeta } from '../request-meta';
import { listReturnsQuery, returnIdParam, reviewReturnBody, type ListReturnsQuery, type ReviewReturnInput } from '../schemas/returns';

/** The desk's return requests (guide 3.2.6, 3.2.7), administrators only. */
export function returnsRoutes(deps: ServiceDeps): Router {
  const r = Router();
  const desk = [authenticate, requireRole('Administrator')];

  r.get('/', ...desk, validate({ query: listReturnsQuery }), async (req, res) => {
    const page = await listReturns(req.query as unknown as ListReturnsQuery);
    ok(res, 'Return requests retrieved successfully', { returns: page.rows.map(presentReturnRequest), pagination: presentPagination(page) });
  });

  r.patch('/:returnId/review', ...desk, validate({ params: returnIdParam, body: reviewReturnBody }), async (req, res) => {
    const input = req.body as ReviewReturnInput;
    const { returnId } = req.params as { returnId: string };
    const reviewed = await reviewReturn(deps, principalOf(req), returnId, input, requestMeta(req));
    ok(res, `Return request ${input.decision} successfully`, presentReview(reviewed));
  });

  return r;
}
