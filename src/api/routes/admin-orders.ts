import { Router } from 'express';
import { deleteOrder } from '../../services/admin/delete-order';
import { listOrders } from '../../services/admin/list-orders';
import { searchOrders } from '../../services/admin/search-orders';
import { updateOrder } from '../../services/admin/update-order';
import { updateOrderStatus } from '../../services/admin/update-order-status';
import type { ServiceDeps } from '../../services/deps';
import { ok } from '../envelope';
import { authenticate, principalOf, requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { presentDeskOrder } from '../presenters/desk-orders';
import { presentOrder, presentPagination } from '../presenters/orders';
import { requestMeta } from '../request-meta';
import {
  adminOrdersQuery,
  searchOrdersQuery,
  updateOrderBody,
  updateStatusBody,
  type AdminOrdersQuery,
  type SearchOrdersQuery,
  type UpdateOrderInput,
  type UpdateStatusInput,
} from '../schemas/admin';
import { orderIdParam } from '../schemas/common';
import { orderIdOf } from './orders';

/**
 * The order desk (guide 3.2.1-3.2.5), administrators only. Mounted before the `/:orderId`
 * routes; `/me` belongs to the customer routes, mounted before this one.
 */
export function adminOrdersRoutes(deps: ServiceDeps): Router {
  const r = Router();
  const desk = [authenticate, requireRole('Administrator')];

  r.get('/', ...desk, validate({ query: adminOrdersQuery }), async (req, res) => {
    const page = await listOrders(req.query as unknown as AdminOrdersQuery);
    ok(res, 'Orders retrieved successfully', { orders: page.rows.map(presentDeskOrder), pagination: presentPagination(page) });
  });

  r.get('/search', ...desk, validate({ query: searchOrdersQuery }), async (req, res) => {
    const q = req.query as unknown as SearchOrdersQuery;
    const page = await searchOrders(q);
    ok(res, 'Orders retrieved successfully', { query: q.q, orders: page.rows.map(presentDeskOrder), pagination: presentPagination(page) });
  });

  r.put('/:orderId', ...desk, validate({ params: orderIdParam, body: updateOrderBody }), async (req, res) => {
    const { order, items } = await updateOrder(principalOf(req), orderIdOf(req), req.body as UpdateOrderInput);
    ok(res, 'Order updated successfully', presentOrder(order, items));
  });

  r.patch('/:orderId/status', ...desk, validate({ params: orderIdParam, body: updateStatusBody }), async (req, res) => {
    const change = await updateOrderStatus(deps, principalOf(req), orderIdOf(req), req.body as UpdateStatusInput, requestMeta(req));
    ok(res, 'Order status updated successfully', change);
  });

  r.delete('/:orderId', ...desk, validate({ params: orderIdParam }), async (req, res) => {
    const principal = principalOf(req);
    const deleted = await deleteOrder(principal, orderIdOf(req));
    // The audit line: who removed which order and what went with it; no personal data.
    req.log.info({ audit: 'order.deleted', ...deleted, deletedBy: principal.userId, role: principal.role }, 'order deleted');
    ok(res, 'Order deleted successfully', { orderId: deleted.orderId, deleted: { items: deleted.items, history: deleted.history, returns: deleted.returns } });
  });

  return r;
}
