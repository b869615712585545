import { z } from 'zod';
import type { AdminOrdersQuery } from '../../services/admin/list-orders';
import type { SearchOrdersQuery } from '../../services/admin/search-orders';
import type { UpdateOrderInput } from '../../services/admin/update-order';
import type { UpdateStatusInput } from '../../services/admin/update-order-status';
import type { ShipmentInput } from '../../services/orders/shipment';
import type { AttentionQuery } from '../../services/attention/overdue';
import { deliveryAddressSchema } from './orders';
import { onlyIfValid, pageQuery, deskOrderPageQuery, refuseDeepPage, text } from './common';
import { ORDER_STATUSES } from '../../shared/names';

/** `2026-01-25` or a date-time with its offset (at most nanoseconds and `+05:30`: 35 characters). */
export const isoDate = z.union([z.iso.date().max(10), z.iso.datetime({ offset: true }).max(40)], {
  message: 'Must be an ISO 8601 date (2026-01-25) or date-time',
});

/** Start of a date range; a bare date means its first instant (UTC). */
export const dateFrom = isoDate.transform((s) => new Date(s));
/** End of a date range, inclusive; a bare date means the whole of that day (UTC). */
export const dateTo = isoDate.transform((s) =>
  s.length === 10 ? new Date(Date.parse(s) + 86_400_000 - 1) : new Date(s),
);

/** A decimal amount in a query string (no exponent, at most two decimals). */
const amountQuery = z
  .string()
  .max(11)
  .regex(/^\d{1,8}(\.\d{1,2})?$/, 'Must be an amount with at most two decimals')
  .transform(Number);

/** A date range of a list: from its first instant to the whole of its last day. */
export const dateRange = {
  from: dateFrom.optional().describe('From this instant, or from the start of this day (UTC)'),
  // Stated here, where every range that uses it is documented; refuseInvertedRange enforces it.
  to: dateTo.optional().describe('Up to this instant, or to the end of this day (UTC); must not be before `from`'),
};

/** The high end of an amount range says the rule refuseInvertedDeskRanges enforces. */
export const AMOUNT_CEILING = 'Must not be less than `minAmount`';

/** Refuses a range whose low end is above its high end. */
export function refuseInvertedRange(
  ctx: z.RefinementCtx,
  low: number | Date | undefined,
  high: number | Date | undefined,
  lowKey: string,
  highKey: string,
): void {
  if (low !== undefined && high !== undefined && low > high) {
    ctx.addIssue({ code: 'custom', path: [highKey], message: `Must not be less than ${lowKey}` });
  }
}

/** The desk's filters (a list's query, an export's body): neither range may be inverted. */
export function refuseInvertedDeskRanges(
  q: { from?: Date; to?: Date; minAmount?: number; maxAmount?: number },
  ctx: z.RefinementCtx,
): void {
  refuseInvertedRange(ctx, q.from, q.to, 'from', 'to');
  refuseInvertedRange(ctx, q.minAmount, q.maxAmount, 'minAmount', 'maxAmount');
}

export const adminOrdersQuery = z
  .strictObject({
    ...deskOrderPageQuery,
    ...dateRange,
    userId: text(100).optional(),
    customerId: text(100).optional(),
    minAmount: amountQuery.optional(),
    maxAmount: amountQuery.optional().describe(AMOUNT_CEILING),
  })
  .superRefine(refuseInvertedDeskRanges, { when: onlyIfValid })
  .superRefine(refuseDeepPage, { when: onlyIfValid });
adminOrdersQuery satisfies z.ZodType<AdminOrdersQuery>;

export const attentionQuery = z
  .strictObject({ page: pageQuery.page, limit: pageQuery.limit })
  .superRefine(refuseDeepPage, { when: onlyIfValid });
attentionQuery satisfies z.ZodType<AttentionQuery>;

export const searchOrdersQuery = z
  .strictObject({
    ...pageQuery,
    q: text(100),
  })
  .superRefine(refuseDeepPage, { when: onlyIfValid });
searchOrdersQuery satisfies z.ZodType<SearchOrdersQuery>;

export const updateOrderBody = z
  .strictObject({
    deliveryAddress: deliveryAddressSchema.optional(),
    notes: text(1000, 0).nullable().optional(),
  })
  .refine((b) => b.deliveryAddress !== undefined || b.notes !== undefined, {
    message: 'Send deliveryAddress, notes or both',
    path: ['body'],
    when: onlyIfValid,
  })
  .meta({ minProperties: 1 });
updateOrderBody satisfies z.ZodType<UpdateOrderInput>;

/** A carrier and its tracking: what a shipped order tells its customer. */
export const shipmentBody = z.strictObject({
  carrier: text(100),
  trackingNumber: text(100).regex(/^[A-Za-z0-9_-]+$/, 'Must be letters, digits, - and _ only'),
  trackingUrl: z
    .url({ protocol: /^https$/, error: 'Must be an https URL' })
    .max(2048, 'Must be at most 2048 characters')
    // zod cannot state its protocol check as a pattern; this one says it, no looser (docs.test).
    .meta({
      pattern: '^https://[^\\s/?#]+(?:[/?#]\\S*)?$',
      description: 'An absolute https URL (http is refused), shown to the customer',
    })
    .nullable()
    .optional(),
});
shipmentBody satisfies z.ZodType<ShipmentInput>;

export const updateStatusBody = z
  .strictObject({
    status: z.enum(ORDER_STATUSES, { message: `Must be one of: ${ORDER_STATUSES.join(', ')}` }),
    notes: text(500, 0).optional(),
    shipment: shipmentBody.optional().describe("Only with status 'Shipped'"),
  })
  .refine((b) => b.shipment === undefined || b.status === 'Shipped', {
    message: "A shipment goes only with status 'Shipped'",
    path: ['shipment'],
    when: onlyIfValid,
  })
  .meta({ dependentSchemas: { shipment: { properties: { status: { const: 'Shipped' } } } } });
updateStatusBody satisfies z.ZodType<UpdateStatusInput>;
