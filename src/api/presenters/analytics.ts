import type { AnalyticsReport } from '../../services/analytics/report';
import { toDecimal } from '../../services/pricing';

/** The report with money as decimals, as the API speaks (DESIGN.md 5). */
export function presentAnalytics(r: AnalyticsReport) {
  const m = toDecimal;
  return {
    period: { from: r.from, to: r.to },
    totalOrders: r.totalOrders,
    itemsOrdered: r.itemsOrdered,
    ordersByStatus: Object.fromEntries(
      Object.entries(r.byStatus).map(([s, v]) => [s, { count: v.count, value: m(v.value) }]),
    ),
    revenue: {
      gross: m(r.revenue.gross),
      cancelled: m(r.revenue.cancelled),
      refunded: m(r.revenue.refunded),
      net: m(r.revenue.net),
    },
    averageOrderValue: m(r.averageOrderValue),
    returns: {
      requested: r.returns.requested,
      approved: r.returns.approved,
      rejected: r.returns.rejected,
      completed: r.returns.completed,
      returnRate: r.returns.rate,
    },
    refunds: { approved: m(r.refunds.approved), completed: m(r.refunds.completed) },
    topProducts: r.topProducts.map((p) => ({
      productId: p.productId,
      productName: p.productName,
      quantity: p.quantity,
      revenue: m(p.revenue),
    })),
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
