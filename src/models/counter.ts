import { Schema, model } from 'mongoose';

/** One sequence per id prefix and year (`ORD-2026`), advanced with an atomic $inc. */
const counterSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true, default: 0 },
  },
  { collection: 'counters', versionKey: false },
);

export const Counter = model('Counter', counterSchema);
