import { Router } from 'express';
import { z } from 'zod';
import type { ServiceDeps } from '../../services/deps';
import { getAnalytics, type AnalyticsQuery, type AnalyticsReport } from '../../services/analytics/report';
import { toDecimal } from '../../services/pricing';
import { ok } from '../envelope';
import { authenticate, requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { isoDate } from '../schemas/admin';
import { queryInt } from '../schemas/common';

/** Rollups are daily (UTC): a date-time stands for its UTC day. */
const day = isoDate.transform((s) => (s.length === 10 ? s : new Date(s).toISOString().slice(0, 10)));

export const analyticsQuery = z
  .strictObject({ from: day.optional(), to: day.optional(), top: queryInt(1, 50, 10) })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['from'], message: 'Must not be after to' });

/** The report with money as decimals, as the API speaks (DESIGN.md 5). */
export function presentAnalytics(r: AnalyticsReport) {
  const m = toDecimal;
  return {
    period: { from: r.from, to: r.to },
    totalOrders: r.totalOrders,
    itemsOrdered: r.itemsOrdered,
    ordersByStatus: Object.fromEntries(Object.entries(r.byStatus).map(([s, v]) => [s, { count: v.count, value: m(v.value) }])),
    revenue: { gross: m(r.revenue.gross), cancelled: m(r.revenue.cancelled), refunded: m(r.revenue.refunded), net: m(r.revenue.net) },
    averageOrderValue: m(r.averageOrderValue),
    returns: { requested: r.returns.requested, approved: r.returns.approved, rejected: r.returns.rejected, completed: r.returns.completed, returnRate: r.returns.rate },
    refunds: { approved: m(r.refunds.approved), completed: m(r.refunds.completed) },
    topProducts: r.topProducts.map((p) => ({ productId: p.productId, productName: p.productName, quantity: p.quantity, revenue: m(p.revenue) })),
    daily: r.daily.map((d) => ({
      date: d.date,
      orders: d.orders,
      itemsOrdered: d.itemsOrdered,
      grossRevenue: m(d.gross),
      cancelledRevenue: m(d.cancelled),
      refunded: m(d.refunded),
      netRevenue: m(d.net),
    })),
  };
}

/** Guide 3.2.8: order analytics for administrators, read from the daily rollups. */
export function analyticsRoutes(_deps: ServiceDeps): Router {
  const r = Router();
  r.get('/', authenticate, requireRole('Administrator'), validate({ query: analyticsQuery }), async (req, res) => {
    const report = await getAnalytics(req.query as unknown as AnalyticsQuery);
    ok(res, 'Analytics retrieved successfully', presentAnalytics(report));
  });
  return r;
}
