import type { Types } from 'mongoose';
import { Order } from '../models';
import type { OrderDoc } from '../models/order';
import { ConflictError } from './errors';
import type { NewEvent } from './order-events';

/**
 * The commit point of every state change (DESIGN.md 3): one atomic update that succeeds
 * only if nobody changed the order since it was read (version compare-and-set), and that
 * appends the change's events to the order's outbox in the same write.
 */
export async function commitChange(
  order: { _id: Types.ObjectId; version: number },
  set: Record<string, unknown>,
  events: NewEvent[],
): Promise<OrderDoc> {
  const updated = await Order.findOneAndUpdate(
    { _id: order._id, version: order.version },
    { $set: set, $inc: { version: 1 }, $push: { outbox: { $each: events } } },
    { new: true, runValidators: true },
  ).lean<OrderDoc>();
  if (!updated) throw new ConflictError('The order was changed by another request at the same time; nothing was changed');
  return updated;
}
