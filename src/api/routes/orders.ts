import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ServiceDeps } from '../../services/deps';
import { cancelOrder } from '../../services/orders/cancel-order';
import { createOrder, findOrderCreatedUnder } from '../../services/orders/create-order';
import { getOrder } from '../../services/orders/get-order';
import { listMyOrders } from '../../services/orders/list-my-orders';
import { getOrderHistory } from '../../services/orders/order-history';
import { runIdempotent } from '../../services/idempotency';
import { ValidationError } from '../../services/errors';
import { ok } from '../envelope';
import { authenticate, principalOf } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { presentHistoryEntry, presentOrder, presentOrderSummary, presentPagination } from '../presenters/orders';
import { requestMeta } from '../request-meta';
import { findReturnRequestedUnder, requestReturn } from '../../services/returns/request-return';
import { presentRequestedReturn } from '../presenters/returns';
import { requestReturnBody, type RequestReturnInput } from '../schemas/returns';
import { cancelOrderBody, createOrderBody, myOrdersQuery, orderIdParam, type CancelOrderInput, type CreateOrderInput, type MyOrdersQuery } from '../schemas/orders';

const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'Must be 8-128 letters, digits or _.:-');

/** The Idempotency-Key header, validated; undefined when absent. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = idempotencyKey.safeParse(header);
  if (!parsed.success) throw new ValidationError([{ field: 'Idempotency-Key', message: parsed.error.issues[0].message }]);
  return parsed.data;
}

/** The validated `:orderId` of a request (validate({ params: orderIdParam }) ran first). */
export const orderIdOf = (req: Request): string => (req.params as z.infer<typeof orderIdParam>).orderId;

/** Customer-facing order routes (guide 3.1). Static paths come before `/:orderId`. */
export function customerOrderRoutes(deps: ServiceDeps): Router {
  const r = Router();

  r.post('/', authenticate, validate({ body: createOrderBody }), async (req, res) => {
    const principal = principalOf(req);
    const input = req.body as CreateOrderInput;
    const meta = requestMeta(req);
    const key = idempotencyKeyOf(req.get('idempotency-key'));
    const present = (p: Awaited<ReturnType<typeof createOrder>>) => presentOrder(p.order, p.items);
    if (!key) {
      ok(res, 'Order placed successfully', present(await createOrder(deps, principal, input, meta)), 201);
      return;
    }
    const { value, replayed } = await runIdempotent({
      scope: 'create-order',
      userId: principal.userId,
      key,
      request: input,
      execute: async (recordId) => present(await createOrder(deps, principal, input, meta, recordId)),
      recover: async (recordId) => {
        const found = await findOrderCreatedUnder(recordId);
        if (found) await deps.relay(found.order._id);
        return found && present(found);
      },
    });
    if (replayed) res.set('Idempotent-Replayed', 'true');
    ok(res, 'Order placed successfully', value, 201);
  });

  r.get('/me', authenticate, validate({ query: myOrdersQuery }), async (req, res) => {
    const page = await listMyOrders(principalOf(req), req.query as unknown as MyOrdersQuery);
    ok(res, 'Orders retrieved successfully', { orders: page.rows.map(presentOrderSummary), pagination: presentPagination(page) });
  });

  return r;
}

/**
 * First path segments under /api/orders that name other endpoints (guide 3.1-3.3), never
 * an order: a request for one of them that no router answered must end as "Route not
 * found", not as the lookup of an order called `search`.
 */
export const RESERVED_ORDER_PATHS: ReadonlySet<string> = new Set(['me', 'search', 'returns', 'analytics', 'internal', 'dead-letters']);

/** Routes on one order; mounted after every static path so none is taken for an id. */
export function singleOrderRoutes(deps: ServiceDeps): Router {
  const r = Router();

  // Express matches paths case-insensitively, so `/Search` is reserved as well.
  r.use('/:orderId', (req, _res, next) => next(RESERVED_ORDER_PATHS.has(String(req.params.orderId).toLowerCase()) ? 'router' : undefined));

  r.get('/:orderId', authenticate, validate({ params: orderIdParam }), async (req, res) => {
    const { order, items } = await getOrder(principalOf(req), orderIdOf(req));
    ok(res, 'Order retrieved successfully', presentOrder(order, items));
  });

  r.post('/:orderId/cancel', authenticate, validate({ params: orderIdParam, body: cancelOrderBody }), async (req, res) => {
    const order = await cancelOrder(deps, principalOf(req), orderIdOf(req), req.body as CancelOrderInput, requestMeta(req));
    ok(res, 'Order cancelled successfully', {
      orderId: order.orderId,
      status: order.status,
      cancellationReason: order.cancellationReason,
      cancelledBy: order.cancelledBy,
      cancelledAt: order.cancelledAt,
    });
  });

  r.get('/:orderId/history', authenticate, validate({ params: orderIdParam }), async (req, res) => {
    const { orderId, history } = await getOrderHistory(principalOf(req), orderIdOf(req));
    ok(res, 'Order history retrieved successfully', { orderId, history: history.map(presentHistoryEntry) });
  });

  r.post('/:orderId/return', authenticate, validate({ params: orderIdParam, body: requestReturnBody }), async (req, res) => {
    const principal = principalOf(req);
    const orderId = orderIdOf(req);
    const input = req.body as RequestReturnInput;
    const meta = requestMeta(req);
    const key = idempotencyKeyOf(req.get('idempotency-key'));
    const { value, replayed } = key
      ? await runIdempotent({
          scope: 'request-return',
          userId: principal.userId,
          key,
          request: { orderId, ...input },
          execute: async (recordId) => presentRequestedReturn(await requestReturn(deps, principal, orderId, input, meta, recordId)),
          recover: async (recordId) => {
            const found = await findReturnRequestedUnder(deps, recordId);
            return found && presentRequestedReturn(found);
          },
        })
      : { value: presentRequestedReturn(await requestReturn(deps, principal, orderId, input, meta)), replayed: false };
    if (replayed) res.set('Idempotent-Replayed', 'true');
    ok(res, 'Return request submitted successfully', value);
  });

  return r;
}
