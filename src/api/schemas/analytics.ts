import { z } from 'zod';
import type { AnalyticsQuery } from '../../services/analytics/report';
import { isoDate } from './admin';
import { queryInt } from './common';

/** Rollups are daily (UTC): a date-time stands for its UTC day. */
const day = isoDate.transform((s) => (s.length === 10 ? s : new Date(s).toISOString().slice(0, 10)));

export const analyticsQuery = z
  .strictObject({
    from: day.optional().describe('A day (UTC); must not be after `to`'),
    to: day.optional().describe('A day (UTC), included'),
    top: queryInt(1, 50, 10),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    path: ['from'],
    message: 'Must not be after to',
  }) satisfies z.ZodType<AnalyticsQuery>;
