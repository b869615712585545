import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * The first response to a request sent with an Idempotency-Key. Kept 24 h; a sweeper
 * deletes expired records (FerretDB has no TTL index: DESIGN.md 1).
 */
const idempotencyRecordSchema = new Schema(
  {
    _id: { type: String, required: true }, // scope:userId:key
    requestHash: { type: String, required: true },
    state: { type: String, enum: ['pending', 'done'], required: true },
    lockedUntil: { type: Date, required: true },
    responseBody: { type: Schema.Types.Mixed, default: null },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'idempotency_records', versionKey: false, timestamps: true },
);

idempotencyRecordSchema.index({ expiresAt: 1 });

export type IdempotencyRecordDoc = InferSchemaType<typeof idempotencyRecordSchema>;
export const IdempotencyRecord = model('IdempotencyRecord', idempotencyRecordSchema);
