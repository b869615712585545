import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * Every event a committed change produced, written by the outbox relay before any job of it
 * is queued (keyed by event id, so a re-relay adds nothing). It is what a job must match
 * for a worker to act on it: a job added by hand with a made-up or altered event is refused.
 */
const orderEventSchema = new Schema(
  {
    _id: { type: String, required: true }, // the event id
    type: { type: String, required: true },
    orderRef: { type: Schema.Types.ObjectId, required: true },
    orderId: { type: String, required: true },
    userId: { type: String, required: true },
    customerId: { type: String, default: null },
    occurredAt: { type: Date, required: true },
    previousStatus: { type: String, default: null },
    newStatus: { type: String, default: null },
    returnId: { type: String, default: null },
    // What other services are told besides the ids (webhooks, the event feed): amounts and
    // the return's decision, never names or addresses.
    details: {
      totalAmount: { type: Number, default: null }, // minor units
      itemCount: { type: Number, default: null },
      orderStatus: { type: String, default: null },
      decision: { type: String, default: null },
      reasonCategory: { type: String, default: null },
    },
    // When the relay recorded it: after its commit, so a read that starts later sees the change.
    recordedAt: { type: Date, default: Date.now },
    // Set by the reconciliation once every effect of the event is found done; until then
    // it looks for what is missing, for RECONCILE_WINDOW_HOURS (DESIGN.md 10).
    settled: { type: Boolean, default: false },
    // Set once the sequencer gave the event its place in the event feed (models/feed-entry.ts).
    sequenced: { type: Boolean, default: false },
    // Set when its order was deleted (services/events/deleted-order-events.ts): the event stays
    // a committed one, so that its jobs still on their way find it and are skipped, not
    // refused as forged, until the maintenance removes it. The flag beside the time is what
    // that removal looks up: FerretDB v1 hands PostgreSQL only equality on a scalar.
    orderDeleted: { type: Boolean, default: false },
    orderDeletedAt: { type: Date, default: null },
  },
  { collection: 'order_events', versionKey: false },
);

orderEventSchema.index({ orderRef: 1 });
// Equality on a scalar first: FerretDB v1 pushes only that down to PostgreSQL.
orderEventSchema.index({ settled: 1, recordedAt: 1 });
orderEventSchema.index({ sequenced: 1, recordedAt: 1 });
orderEventSchema.index({ orderDeleted: 1, orderDeletedAt: 1 });

export type OrderEventDoc = InferSchemaType<typeof orderEventSchema> & { _id: string; orderRef: Types.ObjectId };
export const OrderEvent = model('OrderEvent', orderEventSchema);
