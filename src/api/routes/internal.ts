import { Router } from 'express';
import type { ServiceDeps } from '../../services/deps';
import { customerOrderStats, listCustomerOrders } from '../../services/internal/customer-orders';
import { toDecimal } from '../../services/pricing';
import { ok } from '../envelope';
import { requireServiceKey } from '../middleware/service-key';
import { validate } from '../middleware/validate';
import { presentOrderSummary, presentPagination } from '../presenters/orders';
import { customerIdParam, customerOrdersQuery, type CustomerOrdersQuery } from '../schemas/internal';

/** For the Customer Service (guide 3.3): service API key, no user token. */
export function internalRoutes(_deps: ServiceDeps): Router {
  const r = Router();
  r.use(requireServiceKey);

  r.get('/customer/:customerId', validate({ params: customerIdParam, query: customerOrdersQuery }), async (req, res) => {
    const { customerId } = req.params as { customerId: string };
    const page = await listCustomerOrders(customerId, req.query as unknown as CustomerOrdersQuery);
    ok(res, 'Orders retrieved successfully', { customerId, orders: page.rows.map(presentOrderSummary), pagination: presentPagination(page) });
  });

  r.get('/customer/:customerId/count', validate({ params: customerIdParam }), async (req, res) => {
    const { customerId } = req.params as { customerId: string };
    const stats = await customerOrderStats(customerId);
    ok(res, 'Order count retrieved successfully', { ...stats, totalValue: toDecimal(stats.totalValue) });
  });

  return r;
}
