import { Types } from 'mongoose';
import { Order, OrderEvent } from '../../models';
import type { OrderEventDoc } from '../../models/order-event';
import type { CommittedEvent } from '../committed-events';

/*
 * The events of a deleted order. They are not deleted with it: jobs of them may still be on
 * their way (queued, running, waiting to retry), and a job whose event has no record is
 * refused as forged and dead-lettered, which for these would be a false alarm. Marked, they
 * stay committed events, which those jobs find and then skip (workers/deleted-orders.ts);
 * settled, so the reconciliation does not queue their effects again; sequenced, so the feed
 * takes in no event of an order that is gone (as when they were deleted at once: what was
 * placed before stays). The maintenance removes them once no job of them can still wait.
 */

/** What marks an event of a deleted order. */
const markedAt = (at: Date) => ({ orderDeleted: true, orderDeletedAt: at, settled: true, sequenced: true });

/** Marks the events of a deleted order; one marked before keeps its time. Returns how many it marked. */
export async function markEventsOfDeletedOrder(orderRef: Types.ObjectId, at = new Date()): Promise<number> {
  // The equality on orderRef is what FerretDB hands to PostgreSQL's index; the rest is filtered after.
  const { modifiedCount } = await OrderEvent.updateMany(
    { orderRef, orderDeleted: { $ne: true } },
    { $set: markedAt(at) },
  );
  return modifiedCount;
}

/**
 * Whether the order of a committed event was deleted. An event is recorded only once its
 * order is committed, and an order's id is never used again, so a recorded event without
 * its order is one of a deleted order. Its events are marked here too: that mends a deletion
 * that died between removing the order and marking them, and an event its relay recorded
 * while the order was being deleted.
 */
export async function orderDeletedSince(event: Pick<CommittedEvent, 'orderRef'>): Promise<boolean> {
  const orderRef = new Types.ObjectId(event.orderRef);
  if (await Order.exists({ _id: orderRef })) return false;
  await markEventsOfDeletedOrder(orderRef);
  return true;
}

/**
 * Removes the events marked before `cutoff`, an order at a time, up to `batch` events looked
 * up at once and `maxBatches` lookups a call (the next maintenance tick goes on). Returns how
 * many it removed.
 */
export async function purgeEventsOfDeletedOrders(cutoff: Date, batch = 500, maxBatches = 20): Promise<number> {
  let removed = 0;
  for (let n = 0; n < maxBatches; n++) {
    const due = await OrderEvent.find({ orderDeleted: true, orderDeletedAt: { $lt: cutoff } }, { orderRef: 1 })
      .limit(batch)
      .lean<Pick<OrderEventDoc, '_id' | 'orderRef'>[]>();
    const orders = new Map(due.map((e) => [e.orderRef.toHexString(), e.orderRef]));
    // By order: equality on orderRef is indexed where a list of ids ($in) is a scan on FerretDB.
    for (const orderRef of orders.values())
      removed += (await OrderEvent.deleteMany({ orderRef, orderDeleted: true, orderDeletedAt: { $lt: cutoff } }))
        .deletedCount;
    if (due.length < batch) break;
  }
  return removed;
}
