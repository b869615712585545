import { z } from 'zod';
import type { OrdersOfQuery } from '../../services/orders/list-my-orders';
import { onlyIfValid, pageQuery, refuseDeepPage } from './common';
import { ORDER_STATUSES } from '../../shared/names';

export const customerIdParam = z.strictObject({ customerId: z.string().min(1).max(100) });

export const customerOrdersQuery = z
  .strictObject({
    ...pageQuery,
    sortBy: z.enum(['orderDate', 'totalAmount']).default('orderDate'),
    status: z.enum(ORDER_STATUSES).optional(),
  })
  .superRefine(refuseDeepPage, { when: onlyIfValid });
customerOrdersQuery satisfies z.ZodType<OrdersOfQuery>;
