import { Order, OrderItem, ReturnRequest } from '../../src/models';
import { ORDER_STATUSES } from '../../src/shared/names';

/** What GET /api/orders/analytics must answer, recomputed from the orders, items and returns. */
export async function recomputeAnalytics() {
  const orders = await Order.find({}, { outbox: 0 }).lean();
  const items = await OrderItem.find().lean();
  const returns = await ReturnRequest.find().lean();
  const byRef = new Map(orders.map((o) => [o._id.toHexString(), o]));
  const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, { count: 0, value: 0 }])) as Record<
    string,
    { count: number; value: number }
  >;
  for (const o of orders) {
    byStatus[o.status].count += 1;
    byStatus[o.status].value += o.totalAmount;
  }
  const gross = orders.reduce((s, o) => s + o.totalAmount, 0);
  const approved = returns.filter((r) => r.status === 'Approved' || r.status === 'Completed');
  const refunded = approved.reduce((s, r) => s + (r.refundAmount ?? 0), 0);
  const completed = returns.filter((r) => r.status === 'Completed');
  const standing = orders.length - byStatus.Cancelled.count;
  const products = new Map<string, { productId: string; productName: string; quantity: number; revenue: number }>();
  for (const i of items) {
    const o = byRef.get(i.orderId.toHexString());
    if (!o || o.status === 'Cancelled') continue;
    const p = products.get(i.productId) ?? {
      productId: i.productId,
      productName: i.productName,
      quantity: 0,
      revenue: 0,
    };
    p.quantity += i.quantity;
    p.revenue += i.finalPrice;
    products.set(i.productId, p);
  }
  const days = new Map<string, { orders: number; items: number; gross: number; cancelled: number; refunded: number }>();
  const dayOf = (o: (typeof orders)[number]) => {
    const key = o.orderDate.toISOString().slice(0, 10);
    const d = days.get(key) ?? { orders: 0, items: 0, gross: 0, cancelled: 0, refunded: 0 };
    days.set(key, d);
    return d;
  };
  for (const o of orders) {
    const d = dayOf(o);
    d.orders += 1;
    d.items += o.itemCount;
    d.gross += o.totalAmount;
    if (o.status === 'Cancelled') d.cancelled += o.totalAmount;
  }
  for (const r of approved) dayOf(byRef.get(r.orderId.toHexString())!).refunded += r.refundAmount ?? 0;
  return {
    totalOrders: orders.length,
    itemsOrdered: orders.reduce((s, o) => s + o.itemCount, 0),
    ordersByStatus: Object.fromEntries(
      Object.entries(byStatus).map(([s, v]) => [s, { count: v.count, value: v.value / 100 }]),
    ),
    revenue: {
      gross: gross / 100,
      cancelled: byStatus.Cancelled.value / 100,
      refunded: refunded / 100,
      net: (gross - byStatus.Cancelled.value - refunded) / 100,
    },
    averageOrderValue: standing ? Math.round((gross - byStatus.Cancelled.value) / standing) / 100 : 0,
    returns: {
      requested: returns.length,
      approved: approved.length,
      rejected: returns.filter((r) => r.status === 'Rejected').length,
      completed: completed.length,
      returnRate: standing ? Math.round((returns.length / standing) * 10_000) / 10_000 : 0,
    },
    refunds: { approved: refunded / 100, completed: completed.reduce((s, r) => s + (r.refundAmount ?? 0), 0) / 100 },
    topProducts: [...products.values()]
      .filter((p) => p.quantity > 0)
      .sort((a, b) => b.revenue - a.revenue || b.quantity - a.quantity || a.productId.localeCompare(b.productId))
      .slice(0, 10)
      .map((p) => ({ ...p, revenue: p.revenue / 100 })),
    daily: [...days.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, d]) => ({
        date,
        orders: d.orders,
        itemsOrdered: d.items,
        grossRevenue: d.gross / 100,
        cancelledRevenue: d.cancelled / 100,
        refunded: d.refunded / 100,
        netRevenue: (d.gross - d.cancelled - d.refunded) / 100,
      })),
  };
}
