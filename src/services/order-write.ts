import type { Types } from 'mongoose';
import { Order } from '../models';
import type { OrderDoc } from './order-state';
import { OrderLock } from '../models/order-lock';
import { withLease } from '../models/lease';
import { ConflictError } from '../shared/errors';
import type { NewEvent } from './order-events';

/**
 * The commit point of every state change (DESIGN.md 3): one atomic update that succeeds
 * only if nobody changed the order since it was read (version compare-and-set), and that
 * appends the change's events to the order's outbox in the same write.
 */
type CommitChange = (
  order: { _id: Types.ObjectId; version: number },
  set: Record<string, unknown>,
  events: NewEvent[],
) => Promise<OrderDoc>;

export const commitChange: CommitChange = (order, set, events) =>
  withOrderLock(order._id, () => commitChangeHoldingLock(order, set, events));

/** commitChange for a caller that already holds the order's lock (inside withOrderLock). */
export const commitChangeHoldingLock: CommitChange = async (order, set, events) => {
  const updated = await Order.findOneAndUpdate(
    { _id: order._id, version: order.version },
    {
      $set: events.length ? { ...set, outboxPending: true } : set,
      $inc: { version: 1 },
      $push: { outbox: { $each: events } },
    },
    { new: true, runValidators: true },
  ).lean<OrderDoc>();
  if (!updated)
    throw new ConflictError('The order was changed by another request at the same time; nothing was changed');
  return updated;
};

/** Longer than any write under the lock takes; a lease older than this was abandoned. */
const ORDER_LEASE = {
  leaseMs: 15_000,
  waitMs: 5_000,
  busy: () => new ConflictError('The order is being changed by another request; retry shortly'),
};

/**
 * Runs `fn` while holding the order's lease, so the writes of one order happen one at a
 * time. Needed because FerretDB v1 applies a filtered update as read, modify, write back
 * the whole document without locking the row: two concurrent `{_id, version}` updates
 * both match, both report success, and the later one silently overwrites the earlier.
 * Inside the lease, reads see every earlier write, so the version check is exact again.
 * Waits up to WAIT_MS for the lease, then answers 409.
 */
export function withOrderLock<T>(orderRef: Types.ObjectId, fn: () => Promise<T>): Promise<T> {
  return withLease(OrderLock, orderRef, ORDER_LEASE, fn);
}
