import { Router } from 'express';
import { deleteOrder } from '../../services/admin/delete-order';
import { listOrders } from '../../services/admin/list-orders';
import { searchOrders } from '../../services/admin/search-orders';
import { updateOrder } from '../../services/admin/update-order';
import { updateOrderStatus } from '../../services/admin/update-order-status';
import { updateShipment } from '../../services/admin/update-shipment';
import { findOverdue } from '../../services/attention/overdue';
import { presentAttention } from '../presenters/attention';
import type { ServiceDeps } from '../../services/deps';
import { ok } from '../envelope';
import { handle } from '../handler';
import { administratorsOnly, principalOf } from '../middleware/authenticate';
import { presentDeskPage } from '../presenters/desk-orders';
import { presentDeletion, presentPlacedOrder, presentShipmentChange } from '../presenters/orders';
import { requestMeta } from '../request-meta';
import {
  adminOrdersQuery,
  attentionQuery,
  searchOrdersQuery,
  shipmentBody,
  updateOrderBody,
  updateStatusBody,
} from '../schemas/admin';
import { orderIdParam } from '../schemas/common';

/**
 * The order desk (guide 3.2.1-3.2.5), administrators only. Mounted before the `/:orderId`
 * routes; `/me` belongs to the customer routes, mounted before this one.
 */
export function adminOrdersRoutes(deps: ServiceDeps): Router {
  const r = Router();

  r.get(
    '/',
    ...administratorsOnly,
    handle({ query: adminOrdersQuery }, async ({ query }, _req, res) => {
      ok(res, 'Orders retrieved successfully', presentDeskPage(await listOrders(query)));
    }),
  );

  r.get(
    '/search',
    ...administratorsOnly,
    handle({ query: searchOrdersQuery }, async ({ query }, _req, res) => {
      ok(res, 'Orders retrieved successfully', { query: query.q, ...presentDeskPage(await searchOrders(query)) });
    }),
  );

  r.put(
    '/:orderId',
    ...administratorsOnly,
    handle({ params: orderIdParam, body: updateOrderBody }, async ({ params, body }, req, res) => {
      ok(
        res,
        'Order updated successfully',
        presentPlacedOrder(await updateOrder(principalOf(req), params.orderId, body)),
      );
    }),
  );

  r.patch(
    '/:orderId/status',
    ...administratorsOnly,
    handle({ params: orderIdParam, body: updateStatusBody }, async ({ params, body }, req, res) => {
      ok(
        res,
        'Order status updated successfully',
        await updateOrderStatus(deps, principalOf(req), params.orderId, body, requestMeta(req)),
      );
    }),
  );

  r.get(
    '/attention',
    ...administratorsOnly,
    handle({ query: attentionQuery }, async ({ query }, _req, res) => {
      ok(res, 'Overdue work retrieved successfully', presentAttention(await findOverdue(query, deps.settings)));
    }),
  );

  r.put(
    '/:orderId/shipment',
    ...administratorsOnly,
    handle({ params: orderIdParam, body: shipmentBody }, async ({ params, body }, req, res) => {
      ok(
        res,
        'Tracking updated',
        presentShipmentChange(await updateShipment(deps, principalOf(req), params.orderId, body, requestMeta(req))),
      );
    }),
  );

  r.delete(
    '/:orderId',
    ...administratorsOnly,
    handle({ params: orderIdParam }, async ({ params }, req, res) => {
      const principal = principalOf(req);
      const deleted = await deleteOrder(principal, params.orderId);
      // The audit line: who removed which order and what went with it; no personal data.
      req.log.info(
        { audit: 'order.deleted', ...deleted, deletedBy: principal.userId, role: principal.role },
        'order deleted',
      );
      ok(res, 'Order deleted successfully', presentDeletion(deleted));
    }),
  );

  return r;
}
