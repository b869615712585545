import { z } from 'zod';
import type { ExportInput } from '../../services/exports/order-exports';
import { AMOUNT_CEILING, dateRange, refuseInvertedDeskRanges } from './admin';
import { money, onlyIfValid, text } from './common';
import { ORDER_STATUSES } from '../../shared/names';

/** The filters of `GET /api/orders`, in a JSON body (amounts as numbers), and the format. */
export const createExportBody = z
  .strictObject({
    format: z.literal('csv', { message: 'Must be csv' }),
    status: z.enum(ORDER_STATUSES, { message: `Must be one of: ${ORDER_STATUSES.join(', ')}` }).optional(),
    ...dateRange,
    userId: text(100).optional(),
    customerId: text(100).optional(),
    minAmount: money().optional(),
    maxAmount: money().optional().describe(AMOUNT_CEILING),
  })
  .superRefine(refuseInvertedDeskRanges, { when: onlyIfValid });
createExportBody satisfies z.ZodType<ExportInput>;

export const exportIdParam = z.strictObject({
  exportId: z
    .string()
    .max(28)
    .regex(/^exp_[0-9a-f]{24}$/, 'Must be an export id like exp_<24 hex digits>'),
});
