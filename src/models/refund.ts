import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { minorUnits } from './money';

export const REFUND_LEDGER_STATUSES = ['Processed', 'Completed'] as const;

/**
 * The refund ledger: one entry per approved return (unique returnId), for the amount the
 * reviewer approved. The refunds worker writes it; Σ amount equals the approved refunds.
 */
const refundSchema = new Schema(
  {
    returnId: { type: String, required: true },
    returnRef: { type: Schema.Types.ObjectId, required: true },
    orderRef: { type: Schema.Types.ObjectId, required: true },
    orderId: { type: String, required: true },
    userId: { type: String, required: true },
    amount: { ...minorUnits, required: true, min: 1 },
    status: { type: String, enum: REFUND_LEDGER_STATUSES, required: true },
    // The event that created the entry, for tracing.
    eventId: { type: String, required: true },
    completedAt: { type: Date, default: null },
  },
  { collection: 'refunds', versionKey: false, timestamps: true },
);

refundSchema.index({ returnId: 1 }, { unique: true });
refundSchema.index({ orderRef: 1 });
refundSchema.index({ status: 1 });

export type RefundDoc = InferSchemaType<typeof refundSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const Refund = model('Refund', refundSchema);
