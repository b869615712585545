import { Counter } from '../../models';
import { FEED_BUCKET_SIZE, FeedEntry, feedBucketOf, type FeedEntryDoc } from '../../models/feed-entry';
import { GoneError, ValidationError } from '../../shared/errors';
import type { PublicEvent } from './public-event';

/** The lowest place still kept; everything below it was removed by retention. */
const FLOOR = 'event-feed-floor';

/** A public event as the feed lists it: under `eventId`, with the cursor that resumes after it. */
export type FeedEvent = Omit<PublicEvent, 'id'> & { eventId: string; cursor: string };

export interface FeedPage {
  events: FeedEvent[];
  nextCursor: string;
}

export interface FeedRequest {
  /** The cursor of the last event the reader has; none: from the oldest kept. */
  after: number | null;
  limit: number;
}

/** The lowest place retention kept (1 while nothing was removed). */
export async function feedFloor(): Promise<number> {
  return (await Counter.findById(FLOOR).lean<{ seq: number }>())?.seq ?? 1;
}

const present = (e: FeedEntryDoc): FeedEvent => ({
  eventId: e.eventId,
  type: e.type,
  occurredAt: e.occurredAt.toISOString(),
  orderId: e.orderId,
  returnId: e.returnId ?? null,
  data: e.data,
  cursor: String(e._id),
});

/**
 * The events after a cursor, in feed order. Only the unbroken run that follows the cursor
 * is served: places are given without gaps, so a missing one is an event still being
 * written, and serving what lies past it could hand out a cursor that the missing event
 * would then sit behind. A cursor older than what retention kept answers 410: the reader
 * missed events and must start again and reconcile.
 */
export async function readFeed({ after, limit }: FeedRequest): Promise<FeedPage> {
  const lowest = await feedFloor();
  const from = after ?? lowest - 1;
  if (from < lowest - 1) {
    throw new GoneError(
      'Cursor expired',
      'after',
      'Events after this cursor were removed (EVENT_FEED_RETENTION_DAYS); read again from the start and reconcile',
    );
  }
  const first = feedBucketOf(from + 1);
  const last = feedBucketOf(from + limit);
  const buckets = await Promise.all(
    [first, ...(last !== first ? [last] : [])].map((bucket) =>
      FeedEntry.find({ bucket, _id: { $gt: from, $lte: from + limit } }).lean<FeedEntryDoc[]>(),
    ),
  );
  const byPlace = new Map(buckets.flat().map((e) => [e._id, e]));
  const events: FeedEvent[] = [];
  for (let place = from + 1; byPlace.has(place) && events.length < limit; place++)
    events.push(present(byPlace.get(place)!));
  // A cursor past every place handed out (from another feed, a reset database) would skip
  // the events still to come until the feed reached it: refused.
  if (!events.length && from >= lowest && !(await FeedEntry.exists({ _id: from }))) {
    throw new ValidationError([
      {
        field: 'after',
        message: 'No event of this feed has this cursor; continue from a cursor it handed out, or start without one',
      },
    ]);
  }
  return { events, nextCursor: events.at(-1)?.cursor ?? String(from) };
}

/**
 * Removes the oldest entries sequenced before `cutoff`, as one unbroken prefix of the feed
 * (so a reader never meets a hole): the floor moves up first, then the entries go.
 * Returns how many were removed.
 */
export async function purgeFeedBefore(cutoff: Date): Promise<number> {
  let lowest = await feedFloor();
  let removed = 0;
  for (;;) {
    const bucket = feedBucketOf(lowest);
    const entries = (
      await FeedEntry.find({ bucket, _id: { $gte: lowest } }, { _id: 1, sequencedAt: 1 }).lean<
        Pick<FeedEntryDoc, '_id' | 'sequencedAt'>[]
      >()
    ).sort((a, b) => a._id - b._id);
    let upTo = lowest - 1;
    for (const e of entries) {
      if (e._id !== upTo + 1 || e.sequencedAt >= cutoff) break;
      upTo = e._id;
    }
    if (upTo < lowest) return removed;
    await Counter.updateOne({ _id: FLOOR }, { $max: { seq: upTo + 1 } }, { upsert: true });
    removed += (await FeedEntry.deleteMany({ bucket, _id: { $gte: lowest, $lte: upTo } })).deletedCount;
    lowest = upTo + 1;
    // The bucket ended with entries still to keep.
    if (upTo !== (bucket + 1) * FEED_BUCKET_SIZE - 1) return removed;
  }
}
