import { Counter, OrderEvent } from '../../models';
import { FeedEntry, feedBucketOf } from '../../models/feed-entry';
import { isDuplicateKey } from '../../models/insert-once';
import type { OrderEventDoc } from '../../models/order-event';
import { feedFloor } from './event-feed';
import { publicEventOf } from './public-event';

/** Where the last run left off: a hint (it may lag, never lead); the feed itself is the truth. */
const HIGH_WATER = 'event-feed';

/**
 * The first free place at or after the hint (never below what retention kept: a place
 * under the floor would never be served): equality probes, which FerretDB answers from its index.
 */
async function firstFreePlace(): Promise<number> {
  const [hint, floor] = await Promise.all([Counter.findById(HIGH_WATER).lean<{ seq: number }>(), feedFloor()]);
  let next = Math.max((hint?.seq ?? 0) + 1, floor);
  while (await FeedEntry.exists({ _id: next })) next++;
  return next;
}

const byOccurrence = (a: OrderEventDoc, b: OrderEventDoc) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a._id < b._id ? -1 : 1);

/**
 * Gives recorded events their places in the feed, one after another, so the feed has no
 * gap and an event never lands behind a place already handed out: a reader that saw place
 * N can trust that 1..N-1 exist. It takes the events in the order they were recorded
 * (within a batch, as they occurred: one order's changes in their order). Runs may overlap
 * (a scheduler tick outlives its interval): each place and each event is unique in the
 * feed, so of two runs writing one place one wins, and the loser stops. Returns how many
 * events it placed.
 */
export async function sequenceEvents(batch = 500, maxPerRun = 5000): Promise<number> {
  let next = await firstFreePlace();
  let placed = 0;
  try {
    for (let stopped = false; !stopped && placed < maxPerRun; ) {
      const pending = await OrderEvent.find({ sequenced: false }).sort({ recordedAt: 1, _id: 1 }).limit(batch).lean<OrderEventDoc[]>();
      if (!pending.length) break;
      const done: string[] = [];
      for (const doc of pending.sort(byOccurrence)) {
        const { id, ...entry } = publicEventOf(doc);
        try {
          await FeedEntry.create({ _id: next, bucket: feedBucketOf(next), eventId: id, ...entry });
          next++;
          placed++;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          // Another run is sequencing (it took the place, or placed this event first) and
          // carries on from here; or a run died after placing this event and before marking
          // it, which marking it now mends. Either way this run stops: trailing a live run
          // would only double its work.
          if (await FeedEntry.exists({ eventId: id })) done.push(id);
          stopped = true;
          break;
        }
        done.push(id);
      }
      await OrderEvent.updateMany({ _id: { $in: done } }, { $set: { sequenced: true } });
    }
    return placed;
  } finally {
    if (placed) await Counter.updateOne({ _id: HIGH_WATER }, { $max: { seq: next - 1 } }, { upsert: true });
  }
}
