import { Types } from 'mongoose';
import { Cursor, Order, OrderItem } from '../models';
import type { CursorDoc } from '../models/cursor';

/** Items younger than this may belong to an order whose write is still in flight. */
export const ORPHAN_GRACE_MS = 10 * 60 * 1000;

/**
 * Removes order items whose order was never committed (the process died between writing
 * the items and the order: DESIGN.md 3). Walks items in `_id` order from `after`, a batch at
 * a time, and returns where it got to so the next call continues from there.
 */
export async function sweepOrphanItems(
  after: Types.ObjectId | null,
  now: Date = new Date(),
  batch = 1000,
): Promise<{ next: Types.ObjectId | null; removed: number }> {
  const before = Types.ObjectId.createFromTime(Math.floor((now.getTime() - ORPHAN_GRACE_MS) / 1000));
  const range: Record<string, Types.ObjectId> = { $lt: before };
  if (after) range.$gt = after;
  const items = await OrderItem.find({ _id: range }, { orderId: 1 }).sort({ _id: 1 }).limit(batch).lean();
  if (!items.length) return { next: after, removed: 0 };

  const orderRefs = [...new Set(items.map((i) => i.orderId.toHexString()))].map((id) => new Types.ObjectId(id));
  const existing = new Set(
    (await Order.find({ _id: { $in: orderRefs } }, { _id: 1 }).lean()).map((o) => o._id.toHexString()),
  );
  const orphans = orderRefs.filter((ref) => !existing.has(ref.toHexString()));
  const removed = orphans.length ? ((await OrderItem.deleteMany({ orderId: { $in: orphans } })).deletedCount ?? 0) : 0;
  return { next: items[items.length - 1]._id, removed };
}

/** One batch of the sweep, continuing where the last one (by any process) got to. */
export async function sweepNextOrphanItems(): Promise<number> {
  const cursor = await Cursor.findById('orphan-items').lean<CursorDoc>();
  const { next, removed } = await sweepOrphanItems(cursor?.after ?? null);
  await Cursor.updateOne({ _id: 'orphan-items' }, { $set: { after: next } }, { upsert: true });
  return removed;
}
