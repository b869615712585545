import { AnalyticsDaily } from '../../models';
import { statusKey } from './rollup-keys';
import { ORDER_STATUSES, type OrderStatus } from '../../shared/names';

/** A daily rollup as stored; absent counters are zero. */
export interface DailyRollupDoc {
  _id: string;
  orders?: number;
  gross?: number;
  items?: number;
  status?: Record<string, { n?: number; v?: number } | undefined>;
  returns?: { requested?: number; approved?: number; rejected?: number; completed?: number };
  refunds?: { approved?: number; completed?: number };
  products?: Record<string, { id?: string; name?: string; q?: number; r?: number } | undefined>;
}

export interface AnalyticsQuery {
  from?: string; // YYYY-MM-DD, inclusive
  to?: string; // YYYY-MM-DD, inclusive
  top: number;
}

/** Money in minor units; the API converts at its edge. */
export interface AnalyticsReport {
  from: string | null;
  to: string | null;
  totalOrders: number;
  itemsOrdered: number;
  byStatus: Record<OrderStatus, { count: number; value: number }>;
  revenue: { gross: number; cancelled: number; refunded: number; net: number };
  averageOrderValue: number;
  returns: { requested: number; approved: number; rejected: number; completed: number; rate: number };
  refunds: { approved: number; completed: number };
  topProducts: { productId: string; productName: string; quantity: number; revenue: number }[];
  daily: {
    date: string;
    orders: number;
    itemsOrdered: number;
    gross: number;
    cancelled: number;
    refunded: number;
    net: number;
  }[];
}

/**
 * The analytics answer, read from the daily rollups only: its cost grows with the days
 * asked for, never with the number of orders (DESIGN.md 10).
 */
export async function getAnalytics(q: AnalyticsQuery): Promise<AnalyticsReport> {
  const range: Record<string, string> = {};
  if (q.from) range.$gte = q.from;
  if (q.to) range.$lte = q.to;
  const docs = await AnalyticsDaily.find(Object.keys(range).length ? { _id: range } : {}, { pending: 0 })
    .sort({ _id: 1 })
    .lean<DailyRollupDoc[]>();
  return summarize(docs, q);
}

const n = (v: number | undefined): number => v ?? 0;

/**
 * Definitions: figures describe the orders placed in the range as they stand now.
 * net = gross − value of cancelled orders − approved refunds; the average order value is
 * over orders not cancelled; the return rate is return requests per order not cancelled.
 */
export function summarize(docs: DailyRollupDoc[], q: AnalyticsQuery): AnalyticsReport {
  const byStatus = Object.fromEntries(
    ORDER_STATUSES.map((s) => [s, { count: 0, value: 0 }]),
  ) as AnalyticsReport['byStatus'];
  const returns = { requested: 0, approved: 0, rejected: 0, completed: 0 };
  const refunds = { approved: 0, completed: 0 };
  const products = new Map<string, { productId: string; productName: string; quantity: number; revenue: number }>();
  const daily: AnalyticsReport['daily'] = [];
  let totalOrders = 0;
  let itemsOrdered = 0;
  let gross = 0;

  for (const d of docs) {
    totalOrders += n(d.orders);
    itemsOrdered += n(d.items);
    gross += n(d.gross);
    for (const s of ORDER_STATUSES) {
      const cell = d.status?.[statusKey(s)];
      byStatus[s].count += n(cell?.n);
      byStatus[s].value += n(cell?.v);
    }
    returns.requested += n(d.returns?.requested);
    returns.approved += n(d.returns?.approved);
    returns.rejected += n(d.returns?.rejected);
    returns.completed += n(d.returns?.completed);
    refunds.approved += n(d.refunds?.approved);
    refunds.completed += n(d.refunds?.completed);
    for (const [key, p] of Object.entries(d.products ?? {})) {
      if (!p) continue;
      const acc = products.get(key) ?? { productId: p.id ?? '', productName: p.name ?? '', quantity: 0, revenue: 0 };
      acc.quantity += n(p.q);
      acc.revenue += n(p.r);
      if (p.name) acc.productName = p.name; // the latest day's name wins
      products.set(key, acc);
    }
    const cancelled = n(d.status?.[statusKey('Cancelled')]?.v);
    const refunded = n(d.refunds?.approved);
    daily.push({
      date: d._id,
      orders: n(d.orders),
      itemsOrdered: n(d.items),
      gross: n(d.gross),
      cancelled,
      refunded,
      net: n(d.gross) - cancelled - refunded,
    });
  }

  const cancelled = byStatus.Cancelled;
  const standing = totalOrders - cancelled.count;
  const topProducts = [...products.values()]
    .filter((p) => p.quantity > 0 || p.revenue > 0)
    .sort((a, b) => b.revenue - a.revenue || b.quantity - a.quantity || a.productId.localeCompare(b.productId))
    .slice(0, q.top);

  return {
    from: q.from ?? null,
    to: q.to ?? null,
    totalOrders,
    itemsOrdered,
    byStatus,
    revenue: {
      gross,
      cancelled: cancelled.value,
      refunded: refunds.approved,
      net: gross - cancelled.value - refunds.approved,
    },
    averageOrderValue: standing > 0 ? Math.round((gross - cancelled.value) / standing) : 0,
    returns: { ...returns, rate: standing > 0 ? Math.round((returns.requested / standing) * 10_000) / 10_000 : 0 },
    refunds,
    topProducts,
    daily,
  };
}
