import { Router } from 'express';
import { customerOrderStats, listCustomerOrders } from '../../services/internal/customer-orders';
import { ok } from '../envelope';
import { handle } from '../handler';
import { requireServiceKey } from '../middleware/service-key';
import { presentCustomerStats } from '../presenters/internal';
import { presentOrderPage } from '../presenters/orders';
import { customerIdParam, customerOrdersQuery } from '../schemas/internal';

/** For the Customer Service (guide 3.3): service API key, no user token. */
export function internalRoutes(): Router {
  const r = Router();
  r.use(requireServiceKey);

  r.get(
    '/customer/:customerId',
    handle({ params: customerIdParam, query: customerOrdersQuery }, async ({ params, query }, _req, res) => {
      const page = await listCustomerOrders(params.customerId, query);
      ok(res, 'Orders retrieved successfully', { customerId: params.customerId, ...presentOrderPage(page) });
    }),
  );

  r.get(
    '/customer/:customerId/count',
    handle({ params: customerIdParam }, async ({ params }, _req, res) => {
      ok(res, 'Order count retrieved successfully', presentCustomerStats(await customerOrderStats(params.customerId)));
    }),
  );

  return r;
}
