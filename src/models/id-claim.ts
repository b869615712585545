import { Schema, model } from 'mongoose';

/**
 * One document per identifier handed out (`ORD-2026-000123`): its unique `_id` is what
 * makes an id never handed out twice (src/services/ids.ts).
 */
const idClaimSchema = new Schema(
  { _id: { type: String, required: true } },
  { collection: 'id_claims', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

export const IdClaim = model('IdClaim', idClaimSchema);
