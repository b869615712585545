import { Schema, model } from 'mongoose';
import type { PublicEventData } from '../shared/messages';

/** Entries per bucket: a page (at most 500) spans at most two buckets. */
export const FEED_BUCKET_SIZE = 1000;
export const feedBucketOf = (seq: number): number => Math.floor(seq / FEED_BUCKET_SIZE);

/**
 * The event feed (GET /api/orders/events): each committed event once, at its place in one
 * gapless sequence. `_id` is the place; only the sequencer writes here, and the two unique
 * keys are what keep it exact when two sequencers overlap: a place is taken once
 * (`_id`), an event placed once (`eventId`). `bucket` (= _id / 1000) lets a page be read
 * by equality, the only lookup FerretDB v1 hands to PostgreSQL's indexes.
 */
const feedEntrySchema = new Schema(
  {
    _id: { type: Number, required: true },
    bucket: { type: Number, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    orderId: { type: String, required: true },
    returnId: { type: String, default: null },
    data: { type: Schema.Types.Mixed, required: true },
    sequencedAt: { type: Date, default: Date.now },
  },
  { collection: 'event_feed', versionKey: false, minimize: false },
);

feedEntrySchema.index({ eventId: 1 }, { unique: true });
feedEntrySchema.index({ bucket: 1, _id: 1 });
feedEntrySchema.index({ occurredAt: 1 });

export interface FeedEntryDoc {
  _id: number;
  bucket: number;
  eventId: string;
  type: string;
  occurredAt: Date;
  orderId: string;
  returnId: string | null;
  data: PublicEventData;
  sequencedAt: Date;
}
export const FeedEntry = model('FeedEntry', feedEntrySchema);
