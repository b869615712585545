import { z } from 'zod';
import { ORDER_STATUSES } from '../../shared/names';
import { config } from '../../config';
import { hasAtMostTwoDecimals } from '../../services/pricing';

/** A trimmed, non-empty string of at most `max` characters. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min, min > 1 ? `Must be at least ${min} characters` : 'Is required')
    .max(max, `Must be at most ${max} characters`);

const MAX_AMOUNT = 10_000_000;

/**
 * A decimal amount of money: finite, at most two decimals, within a sane range. The rules
 * are refinements (exact on floats, unlike JSON Schema's multipleOf); `meta` states the
 * same bounds in the OpenAPI document.
 */
export const money = (opts: { positive?: boolean; requiredMessage?: string } = {}) =>
  z
    .number({ error: (issue) => (issue.input === undefined && opts.requiredMessage) || 'Must be a number' })
    .finite()
    .refine((v) => (opts.positive ? v > 0 : v >= 0), {
      message: opts.positive ? 'Must be greater than 0' : 'Must not be negative',
    })
    .refine((v) => v <= MAX_AMOUNT, { message: `Must be at most ${MAX_AMOUNT}` })
    .refine(hasAtMostTwoDecimals, { message: 'Must have at most two decimal places' })
    .meta({ ...(opts.positive ? { exclusiveMinimum: 0 } : { minimum: 0 }), maximum: MAX_AMOUNT, multipleOf: 0.01 });

const MAX_QUERY_INT = 999_999_999;

/**
 * Query-string integers: digits only, so `1e3`, `0x10` and `2.5` are refused. Read as
 * strings, documented as the integers they stand for.
 */
export const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'Must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `Must be at least ${min}`).max(max, `Must be at most ${max}`))
    .default(fallback)
    .meta({ type: 'integer', minimum: min, maximum: max, default: fallback });

/**
 * The deepest row a paginated list reaches: a page is read by skipping the rows before it,
 * and a database walks what it skips (FerretDB on PostgreSQL too), so a deep page costs as
 * much as every page before it. Past this, narrow the filters (a status, a date range).
 */
export const MAX_PAGE_DEPTH = 10_000;

export const DEEP_PAGE_MESSAGE = `page × limit must be at most ${MAX_PAGE_DEPTH.toLocaleString('en')}; narrow the filters to reach older rows`;

export const pageQuery = {
  page: queryInt(1, MAX_QUERY_INT, 1).meta({ description: `1-based; ${DEEP_PAGE_MESSAGE} (400 beyond)` }),
  limit: queryInt(1, 50, 10),
  sortOrder: z.enum(['asc', 'desc']).default('desc'),
};

/** How a page of orders is sorted: by placement date (newest first by default) or amount. */
export const orderSortQuery = {
  sortBy: z.enum(['orderDate', 'totalAmount']).default('orderDate'),
};

/** A page of the desk's orders: sorted, of one status or all (the desk's list and a customer's, for other services). */
export const deskOrderPageQuery = {
  ...pageQuery,
  ...orderSortQuery,
  status: z.enum(ORDER_STATUSES).optional(),
};

/**
 * Refuses a page past MAX_PAGE_DEPTH rows (400, naming `page`). Every query with `page`
 * and `limit` runs it (`.superRefine(refuseDeepPage, { when: onlyIfValid })`).
 */
export function refuseDeepPage(q: { page: number; limit: number }, ctx: z.RefinementCtx): void {
  if (q.page * q.limit > MAX_PAGE_DEPTH) ctx.addIssue({ code: 'custom', path: ['page'], message: DEEP_PAGE_MESSAGE });
}

/** `ORD-2026-000001`: the pattern tells an order id from any static path under /api/orders. */
export const orderIdParam = z.strictObject({
  orderId: z
    .string()
    .max(40)
    .regex(
      new RegExp(`^${config.ORDER_ID_PREFIX}-\\d{4}-\\d{6,}$`),
      `Must be an order id like ${config.ORDER_ID_PREFIX}-2026-000001`,
    ),
});

/** Cross-field rules judge only fields valid on their own, so a bad field is reported once. */
export const onlyIfValid = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;
