import { z } from 'zod';
import type { OrdersOfQuery } from '../../services/orders/list-my-orders';
import { onlyIfValid, deskOrderPageQuery, refuseDeepPage } from './common';

export const customerIdParam = z.strictObject({ customerId: z.string().min(1).max(100) });

export const customerOrdersQuery = z
  .strictObject({
    ...deskOrderPageQuery,
  })
  .superRefine(refuseDeepPage, { when: onlyIfValid });
customerOrdersQuery satisfies z.ZodType<OrdersOfQuery>;
