import { z } from 'zod';
import type { RequestReturnInput } from '../../services/returns/request-return';
import type { ReviewReturnInput } from '../../services/returns/review-return';
import type { ListReturnsQuery } from '../../services/returns/list-returns';
import { config } from '../../config';
import { RETURN_REASON_CATEGORIES, RETURN_STATUSES } from '../../models/return-request';
import { dateRange, refuseInvertedRange } from './admin';
import { money, onlyIfValid, pageQuery, refuseDeepPage, text } from './common';

const objectId = z
  .string()
  .max(24)
  .regex(/^[0-9a-fA-F]{24}$/, 'Must be an item id of this order (24 hex digits)');

export const requestReturnBody = z
  .strictObject({
    reason: text(500, 10),
    reasonCategory: z.enum(RETURN_REASON_CATEGORIES, {
      message: `Must be one of: ${RETURN_REASON_CATEGORIES.join(', ')}`,
    }),
    description: text(2000, 0).optional(),
    items: z
      .array(
        z.strictObject({
          orderItemId: objectId,
          quantity: z
            .number({ message: 'Must be a number' })
            .int('Must be a whole number')
            .min(1, 'Must be at least 1')
            .max(10_000, 'Must be at most 10000'),
          returnReason: text(500).optional(),
        }),
      )
      .min(1, 'At least one item is required')
      .max(100, 'At most 100 items')
      .describe('Each orderItemId at most once'),
  })
  .superRefine(
    (body, ctx) => {
      const seen = new Set<string>();
      body.items.forEach((item, i) => {
        const id = item.orderItemId.toLowerCase();
        if (seen.has(id))
          ctx.addIssue({ code: 'custom', path: ['items', i, 'orderItemId'], message: 'Is listed more than once' });
        seen.add(id);
      });
    },
    { when: onlyIfValid },
  );
requestReturnBody satisfies z.ZodType<RequestReturnInput>;

/** An approval names the refund; a rejection has none. One shape each, so the document says so too. */
export const reviewReturnBody = z.discriminatedUnion(
  'decision',
  [
    z.strictObject({
      decision: z.literal('approved'),
      approvalNotes: text(500, 10),
      refundAmount: money({ positive: true, requiredMessage: 'Is required when the decision is approved' }),
    }),
    z.strictObject({
      decision: z.literal('rejected'),
      approvalNotes: text(500, 10),
      refundAmount: z.never({ error: 'Only allowed when the decision is approved' }).optional(),
    }),
  ],
  { error: "Must be 'approved' or 'rejected'" },
);
reviewReturnBody satisfies z.ZodType<ReviewReturnInput>;

export const listReturnsQuery = z
  .strictObject({
    ...pageQuery,
    sortBy: z.enum(['requestedAt', 'refundAmount']).default('requestedAt'),
    status: z.enum(RETURN_STATUSES).optional(),
    reasonCategory: z.enum(RETURN_REASON_CATEGORIES).optional(),
    ...dateRange,
    orderId: text(40).optional(),
  })
  .superRefine((q, ctx) => refuseInvertedRange(ctx, q.from, q.to, 'from', 'to'), { when: onlyIfValid })
  .superRefine(refuseDeepPage, { when: onlyIfValid });
listReturnsQuery satisfies z.ZodType<ListReturnsQuery>;

/** `RET-2026-000001`, never taken for a static path. */
export const returnIdParam = z.strictObject({
  returnId: z
    .string()
    .max(40)
    .regex(
      new RegExp(`^${config.RETURN_ID_PREFIX}-\\d{4}-\\d{6,}$`),
      `Must be a return id like ${config.RETURN_ID_PREFIX}-2026-000001`,
    ),
});
