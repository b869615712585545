import { Router } from 'express';
import type { ServiceDeps } from '../../services/deps';
import { cancelOrder } from '../../services/orders/cancel-order';
import { createOrder, findOrderCreatedUnder } from '../../services/orders/create-order';
import { getOrder } from '../../services/orders/get-order';
import { listMyOrders } from '../../services/orders/list-my-orders';
import { getOrderHistory } from '../../services/orders/order-history';
import { findReturnRequestedUnder, requestReturn } from '../../services/returns/request-return';
import { ok } from '../envelope';
import { handle } from '../handler';
import { authenticate, principalOf } from '../middleware/authenticate';
import { presentCancellation, presentHistory, presentOrderPage, presentPlacedOrder } from '../presenters/orders';
import { presentRequestedReturn } from '../presenters/returns';
import { requestMeta } from '../request-meta';
import { respondIdempotently } from '../respond-idempotently';
import { cancelOrderBody, createOrderBody, myOrdersQuery, orderIdParam } from '../schemas/orders';
import { requestReturnBody } from '../schemas/returns';

/** Customer-facing order routes (guide 3.1). Static paths come before `/:orderId`. */
export function customerOrderRoutes(deps: ServiceDeps): Router {
  const r = Router();

  r.post(
    '/',
    authenticate,
    handle({ body: createOrderBody }, async ({ body }, req, res) => {
      const principal = principalOf(req);
      const meta = requestMeta(req);
      await respondIdempotently(req, res, {
        scope: 'create-order',
        settings: deps.settings,
        userId: principal.userId,
        request: body,
        execute: (recordId) => createOrder(deps, principal, body, meta, recordId),
        recover: (recordId) => findOrderCreatedUnder(deps, recordId),
        present: presentPlacedOrder,
        status: 201,
        message: 'Order placed successfully',
      });
    }),
  );

  r.get(
    '/me',
    authenticate,
    handle({ query: myOrdersQuery }, async ({ query }, req, res) => {
      ok(res, 'Orders retrieved successfully', presentOrderPage(await listMyOrders(principalOf(req), query)));
    }),
  );

  return r;
}

/**
 * First path segments under /api/orders that name other endpoints (guide 3.1-3.3), never
 * an order: a request for one of them that no router answered must end as "Route not
 * found", not as the lookup of an order called `search`.
 */
export const RESERVED_ORDER_PATHS: ReadonlySet<string> = new Set([
  'me',
  'search',
  'returns',
  'analytics',
  'internal',
  'dead-letters',
  'webhooks',
  'events',
  'attention',
  'bulk',
  'exports',
]);

/** Routes on one order; mounted after every static path so none is taken for an id. */
export function singleOrderRoutes(deps: ServiceDeps): Router {
  const r = Router();

  // Express matches paths case-insensitively, so `/Search` is reserved as well.
  r.use('/:orderId', (req, _res, next) =>
    next(RESERVED_ORDER_PATHS.has(String(req.params.orderId).toLowerCase()) ? 'router' : undefined),
  );

  r.get(
    '/:orderId',
    authenticate,
    handle({ params: orderIdParam }, async ({ params }, req, res) => {
      ok(res, 'Order retrieved successfully', presentPlacedOrder(await getOrder(principalOf(req), params.orderId)));
    }),
  );

  r.post(
    '/:orderId/cancel',
    authenticate,
    handle({ params: orderIdParam, body: cancelOrderBody }, async ({ params, body }, req, res) => {
      const order = await cancelOrder(deps, principalOf(req), params.orderId, body, requestMeta(req));
      ok(res, 'Order cancelled successfully', presentCancellation(order));
    }),
  );

  r.get(
    '/:orderId/history',
    authenticate,
    handle({ params: orderIdParam }, async ({ params }, req, res) => {
      ok(
        res,
        'Order history retrieved successfully',
        presentHistory(await getOrderHistory(principalOf(req), params.orderId)),
      );
    }),
  );

  r.post(
    '/:orderId/return',
    authenticate,
    handle({ params: orderIdParam, body: requestReturnBody }, async ({ params, body }, req, res) => {
      const principal = principalOf(req);
      const meta = requestMeta(req);
      await respondIdempotently(req, res, {
        scope: 'request-return',
        settings: deps.settings,
        userId: principal.userId,
        request: { orderId: params.orderId, ...body },
        execute: (recordId) => requestReturn(deps, principal, params.orderId, body, meta, recordId),
        recover: (recordId) => findReturnRequestedUnder(deps, recordId),
        present: presentRequestedReturn,
        status: 200,
        message: 'Return request submitted successfully',
      });
    }),
  );

  return r;
}
