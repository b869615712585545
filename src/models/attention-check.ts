import { Schema, model } from 'mongoose';

/**
 * What the scheduled overdue check found last (`_id: 'latest'`: the gauge reads it), and one
 * document per day a digest was claimed (`_id: 'digest:<YYYY-MM-DD>'`: made once, so one a day).
 */
const attentionCheckSchema = new Schema(
  {
    _id: { type: String, required: true },
    orders: { type: Number, default: 0 },
    returns: { type: Number, default: 0 },
    at: { type: Date, default: Date.now },
    // On a day's digest: null while it is being sent, when it went out once sent.
    sentAt: { type: Date },
  },
  { collection: 'attention_checks', versionKey: false },
);

export interface AttentionCheckDoc {
  _id: string;
  orders: number;
  returns: number;
  at: Date;
  /** A day's digest: null while being sent; absent on claims made before it was kept. */
  sentAt?: Date | null;
}
export const AttentionCheck = model('AttentionCheck', attentionCheckSchema);
