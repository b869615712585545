import { z } from 'zod';
import { RETURN_REASON_CATEGORIES, RETURN_STATUSES } from '../../models/return-request';
import { dateFrom, dateTo, refuseInvertedRange } from './admin';
import { money, pageQuery, text } from './common';

const onlyIfValid = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;

const objectId = z.string().regex(/^[0-9a-fA-F]{24}$/, 'Must be an item id of this order (24 hex digits)');

export const requestReturnBody = z
  .strictObject({
    reason: text(500, 10),
    reasonCategory: z.enum(RETURN_REASON_CATEGORIES, { message: `Must be one of: ${RETURN_REASON_CATEGORIES.join(', ')}` }),
    description: text(2000, 0).optional(),
    items: z
      .array(
        z.strictObject({
          orderItemId: objectId,
          quantity: z.number({ message: 'Must be a number' }).int('Must be a whole number').min(1, 'Must be at least 1').max(10_000, 'Must be at most 10000'),
          returnReason: text(500).optional(),
        }),
      )
      .min(1, 'At least one item is required')
      .max(100, 'At most 100 items'),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.items.forEach((item, i) => {
      const id = item.orderItemId.toLowerCase();
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'orderItemId'], message: 'Is listed more than once' });
      seen.add(id);
    });
  }, { when: onlyIfValid });
export type RequestReturnInput = z.infer<typeof requestReturnBody>;

export const reviewReturnBody = z
  .strictObject({
    decision: z.enum(['approved', 'rejected'], { message: "Must be 'approved' or 'rejected'" }),
    approvalNotes: text(500, 10),
    refundAmount: money({ positive: true }).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'approved' && body.refundAmount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['refundAmount'], message: 'Is required when the decision is approved' });
    }
    if (body.decision === 'rejected' && body.refundAmount !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['refundAmount'], message: 'Only allowed when the decision is approved' });
    }
  });
export type ReviewReturnInput = z.infer<typeof reviewReturnBody>;

export const listReturnsQuery = z
  .strictObject({
    ...pageQuery,
    sortBy: z.enum(['requestedAt', 'refundAmount']).default('requestedAt'),
    status: z.enum(RETURN_STATUSES).optional(),
    reasonCategory: z.enum(RETURN_REASON_CATEGORIES).optional(),
    from: dateFrom.optional(),
    to: dateTo.optional(),
    orderId: text(40).optional(),
  })
  .superRefine((q, ctx) => refuseInvertedRange(ctx, q.from, q.to, 'from', 'to'), { when: onlyIfValid });
export type ListReturnsQuery = z.infer<typeof listReturnsQuery>;

export const returnIdParam = z.strictObject({ returnId: z.string().min(1).max(40) });
