import { z } from 'zod';
import { ORDER_STATUSES } from '../../config';
import { pageQuery } from './common';

export const customerIdParam = z.strictObject({ customerId: z.string().min(1).max(100) });

export const customerOrdersQuery = z.strictObject({
  ...pageQuery,
  sortBy: z.enum(['orderDate', 'totalAmount']).default('orderDate'),
  status: z.enum(ORDER_STATUSES).optional(),
});
export type CustomerOrdersQuery = z.infer<typeof customerOrdersQuery>;
