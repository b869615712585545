import type { Types } from 'mongoose';
import { AnalyticsAppliedEvent, AnalyticsDaily, Order, OrderItem, ReturnRequest } from '../../models';
import { insertOnce } from '../../models/insert-once';
import { RollupDelta } from './rollup-delta';
import { dayKey } from './rollup-keys';
import type { OrderStatus } from '../../shared/names';
import { driverCollection } from '../../models/driver-collection';

const BATCH = 500;

/**
 * The daily rollups as the orders, items and returns stand now: what the events would
 * have added up to. Reads in batches of orders, so memory grows with days and products,
 * not with orders.
 */
export async function rollupsFromOrders(): Promise<Map<string, RollupDelta>> {
  const days = new Map<string, RollupDelta>();
  const dayOf = (key: string) => {
    let d = days.get(key);
    if (!d) days.set(key, (d = new RollupDelta(key)));
    return d;
  };
  let after: Types.ObjectId | null = null;
  for (;;) {
    const filter: Record<string, unknown> = after ? { _id: { $gt: after } } : {};
    const orders = await Order.find(filter, { orderDate: 1, totalAmount: 1, itemCount: 1, status: 1 })
      .sort({ _id: 1 })
      .limit(BATCH)
      .lean();
    if (!orders.length) break;
    after = orders[orders.length - 1]._id;
    const ids = orders.map((o) => o._id);
    const [items, returns] = await Promise.all([
      OrderItem.find(
        { orderId: { $in: ids } },
        { orderId: 1, productId: 1, productName: 1, quantity: 1, finalPrice: 1 },
      ).lean(),
      ReturnRequest.find({ orderId: { $in: ids } }, { orderId: 1, status: 1, refundAmount: 1 }).lean(),
    ]);
    const byId = new Map(orders.map((o) => [o._id.toHexString(), o]));
    for (const o of orders) dayOf(dayKey(o.orderDate)).placed(o.totalAmount, o.itemCount, o.status as OrderStatus);
    for (const i of items) {
      const o = byId.get(i.orderId.toHexString());
      if (!o || o.status === 'Cancelled') continue;
      dayOf(dayKey(o.orderDate)).product(i.productId, i.productName, i.quantity, i.finalPrice);
    }
    for (const r of returns) {
      const o = byId.get(r.orderId.toHexString());
      if (!o) continue;
      const d = dayOf(dayKey(o.orderDate)).add('returns.requested', 1);
      const refund = r.refundAmount ?? 0;
      if (r.status === 'Rejected') d.add('returns.rejected', 1);
      if (r.status === 'Approved' || r.status === 'Completed')
        d.add('returns.approved', 1).add('refunds.approved', refund);
      if (r.status === 'Completed') d.add('returns.completed', 1).add('refunds.completed', refund);
    }
  }
  return days;
}

/** `{ 'a.b': 1 }` → `{ a: { b: 1 } }`: a delta as the document $inc would have built. */
function nest(paths: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(paths)) {
    const parts = path.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** The daily rollups as the driver sees them: keyed by the day, counters nested by what they count. */
const rollups = () => driverCollection<{ _id: string; pending: string[]; [counter: string]: unknown }>(AnalyticsDaily);

/**
 * Replaces every daily rollup with one recomputed from the orders, and records
 * `appliedEventIds` (events whose effect the orders already show but whose analytics jobs
 * have not run) as applied, so those jobs do not count them a second time.
 * Returns the number of days written.
 */
export async function rebuildRollups(appliedEventIds: Iterable<string> = []): Promise<number> {
  const days = await rollupsFromOrders();
  for (const [day, delta] of days) {
    const doc = { ...nest({ ...delta.inc, ...delta.set }), pending: [] };
    await rollups().replaceOne({ _id: day }, doc, { upsert: true });
  }
  await rollups().deleteMany({ _id: { $nin: [...days.keys()] } });
  const now = new Date();
  for (const id of appliedEventIds) {
    await insertOnce(AnalyticsAppliedEvent, { _id: id, day: 'rebuild', appliedAt: now });
  }
  return days.size;
}
