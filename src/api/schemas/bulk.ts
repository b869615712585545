import { z } from 'zod';
import type { BulkStatusInput } from '../../services/bulk/bulk-status';
import { orderIdParam, text } from './common';
import { ORDER_STATUSES } from '../../shared/names';

export const bulkStatusBody = z.strictObject({
  orderIds: z
    .array(orderIdParam.shape.orderId)
    .min(1, 'Must name at least one order')
    .max(500, 'Must name at most 500 orders')
    .describe('An id given twice is changed once'),
  status: z.enum(ORDER_STATUSES, { message: `Must be one of: ${ORDER_STATUSES.join(', ')}` }),
  notes: text(500, 0).optional(),
});
bulkStatusBody satisfies z.ZodType<BulkStatusInput>;

export const bulkIdParam = z.strictObject({
  bulkId: z
    .string()
    .max(28)
    .regex(/^blk_[0-9a-f]{24}$/, 'Must be a bulk id like blk_<24 hex digits>'),
});
