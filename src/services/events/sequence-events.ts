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
async function firstFreePlace(): Promise<{ next: number; hint: number }> {
  const [saved, floor] = await Promise.all([Counter.findById(HIGH_WATER).lean<{ seq: number }>(), feedFloor()]);
  const hint = saved?.seq ?? 0;
  let next = Math.max(hint + 1, floor);
  while (await FeedEntry.exists({ _id: next })) next++;
  return { next, hint };
}

const byOccurrence = (a: OrderEventDoc, b: OrderEventDoc) =>
  a.occurredAt.getTime() - b.occurredAt.getTime() || (a._id < b._id ? -1 : 1);

/**
 * Gives recorded events their places in the feed, one after another, so the feed has no
 * gap and an event never lands behind a place already handed out: a reader that saw place
 * N can trust that 1..N-1 exist. It takes the events in the order they were recorded
 * (within a batch, as they occurred: one order's changes in their order). Runs may overlap
 * (a scheduler tick outlives its interval): each place and each event is unique in the
 * feed, so of two runs writing one place one wins, and the loser stops. A run that died
 * leaves events placed but not marked (up to a batch of them, the hint saved per batch):
 * the next run marks each as it meets it and carries on, so one run mends them all.
 * Returns how many events it placed.
 */
export async function sequenceEvents(batch = 500, maxPerRun = 5000): Promise<number> {
  let { next, hint: saved } = await firstFreePlace();
  let placed = 0;
  // The hint, as far as this run got: saved per batch, so a run that dies leaves little to probe.
  const saveHint = async () => {
    if (next - 1 > saved) await Counter.updateOne({ _id: HIGH_WATER }, { $max: { seq: next - 1 } }, { upsert: true });
    saved = next - 1;
  };
  try {
    for (let stopped = false; !stopped && placed < maxPerRun;) {
      const pending = await OrderEvent.find({ sequenced: false })
        .sort({ recordedAt: 1, _id: 1 })
        .limit(batch)
        .lean<OrderEventDoc[]>();
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
          const placeTaken = (await FeedEntry.exists({ _id: next })) !== null;
          if (await FeedEntry.exists({ eventId: id })) done.push(id);
          // The place is free, so the event alone was refused: a run placed it and died before
          // marking it (or is marking it now; marked twice is harmless). Marked, and this run
          // goes on to the next event with the same place.
          if (!placeTaken) continue;
          // Another run is sequencing (it took the place) and carries on from here: this run
          // stops, as trailing a live run would only double its work.
          stopped = true;
          break;
        }
        done.push(id);
      }
      // Nothing placed or marked: what is left is for another run (or a later one).
      if (!done.length) break;
      await OrderEvent.updateMany({ _id: { $in: done } }, { $set: { sequenced: true } });
      await saveHint();
    }
    return placed;
  } finally {
    await saveHint();
  }
}
