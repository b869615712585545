import { Schema, model, type Types } from 'mongoose';

/** Where a sweep that walks a collection a batch at a time got to, shared by every process. */
const cursorSchema = new Schema(
  {
    _id: { type: String, required: true }, // the sweep's name
    after: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'cursors', versionKey: false, timestamps: { createdAt: false, updatedAt: true } },
);

export type CursorDoc = { _id: string; after: Types.ObjectId | null };
export const Cursor = model('Cursor', cursorSchema);
