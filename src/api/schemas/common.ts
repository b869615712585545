import { z } from 'zod';
import { hasAtMostTwoDecimals } from '../../services/pricing';

/** A trimmed, non-empty string of at most `max` characters. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min, min > 1 ? `Must be at least ${min} characters` : 'Is required')
    .max(max, `Must be at most ${max} characters`);

/** A decimal amount of money: finite, at most two decimals, within a sane range. */
export const money = (opts: { positive?: boolean } = {}) =>
  z
    .number({ message: 'Must be a number' })
    .finite()
    .refine((v) => (opts.positive ? v > 0 : v >= 0), { message: opts.positive ? 'Must be greater than 0' : 'Must not be negative' })
    .refine((v) => v <= 10_000_000, { message: 'Must be at most 10000000' })
    .refine(hasAtMostTwoDecimals, { message: 'Must have at most two decimal places' });

/** Query-string integers: digits only, so `1e3`, `0x10` and `2.5` are refused. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'Must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `Must be at least ${min}`).max(max, `Must be at most ${max}`))
    .default(fallback);

export const pageQuery = {
  page: z.string().regex(/^\d{1,9}$/, 'Must be a whole number').transform(Number).pipe(z.number().min(1, 'Must be at least 1')).default(1),
  limit: queryInt(1, 50, 10),
  sortOrder: z.enum(['asc', 'desc']).default('desc'),
};

export const orderIdParam = z.strictObject({ orderId: z.string().min(1).max(40) });
