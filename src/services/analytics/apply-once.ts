import { AnalyticsAppliedEvent, AnalyticsDaily } from '../../models';
import { driverCollection } from '../../models/driver-collection';
import { insertOnce, isDuplicateKey } from '../../models/insert-once';
import type { RollupDelta } from './rollup-delta';

/** Whether the event's applied-events row exists: it was added to its rollup before. */
export async function wasApplied(eventId: string): Promise<boolean> {
  return (await AnalyticsAppliedEvent.exists({ _id: eventId })) !== null;
}

/**
 * Adds an event's delta to its day's rollup exactly once, however often the job runs and
 * wherever it dies (no transactions: DESIGN.md 1). The $inc and the event's mark in the
 * day document's `pending` list are one atomic write; the applied-events row is written
 * next; only then is the mark removed. A rerun finds either the row (done) or the mark (the
 * $inc happened, finish the bookkeeping), so it never adds twice. `applied` is what
 * `wasApplied` answered, read by the caller alongside its other reads (one round trip less).
 * Returns false when the event had been applied before.
 */
export async function applyOnce(eventId: string, delta: RollupDelta, applied: boolean): Promise<boolean> {
  if (applied) {
    await unmark(delta.day, eventId);
    return false;
  }
  const added = delta.isEmpty() ? false : await incrementOnce(eventId, delta);
  await insertOnce(AnalyticsAppliedEvent, { _id: eventId, day: delta.day, appliedAt: new Date() });
  await unmark(delta.day, eventId);
  return added;
}

/** A day's rollup as the driver sees it: keyed by the day, with the marks of events in flight. */
const days = () => driverCollection<{ _id: string; pending: string[] }>(AnalyticsDaily);

async function incrementOnce(eventId: string, delta: RollupDelta): Promise<boolean> {
  const update: Record<string, unknown> = { $inc: delta.inc, $addToSet: { pending: eventId } };
  if (Object.keys(delta.set).length) update.$set = delta.set;
  for (let attempt = 0; ; attempt++) {
    try {
      // The native driver, not mongoose: the paths are data-dependent ($inc on
      // `products.<key>.q`) and must reach the server exactly as built.
      await days().updateOne({ _id: delta.day, pending: { $ne: eventId } }, update, { upsert: true });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // The filter missed an existing day: either it already holds this event's mark (an
      // earlier run applied it), or two first events of a new day raced to insert it.
      if (await AnalyticsDaily.exists({ _id: delta.day, pending: eventId })) return false;
      if (attempt >= 5) throw err;
    }
  }
}

async function unmark(day: string, eventId: string): Promise<void> {
  await days().updateOne({ _id: day }, { $pull: { pending: eventId } });
}
