import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { minorUnits } from './money';

export const RETURN_REASON_CATEGORIES = [
  'Damaged',
  'Wrong Item',
  'Defective',
  'Not as Described',
  'Quality Issues',
  'Changed Mind',
  'Other',
] as const;
export type ReturnReasonCategory = (typeof RETURN_REASON_CATEGORIES)[number];
export const RETURN_STATUSES = ['Pending', 'Approved', 'Rejected', 'Completed'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];
export const REFUND_STATUSES = ['Pending', 'Processed', 'Completed'] as const;
/**
 * A step written on the return request before the order commit that decides it (DESIGN.md 3):
 * until the step is finished, the request is provisional, and a crashed step is finished or
 * undone by the reconciler (src/services/returns/reconcile.ts) according to the order.
 */
export const RETURN_PENDING_STEPS = ['request', 'review', 'completion', 'deletion'] as const;
export type ReturnPendingStep = (typeof RETURN_PENDING_STEPS)[number];

const returnItem = new Schema(
  {
    orderItemId: { type: Schema.Types.ObjectId, required: true },
    productId: { type: String, required: true },
    productName: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    returnReason: { type: String, default: null },
  },
  { _id: false },
);

const returnRequestSchema = new Schema(
  {
    returnId: { type: String, required: true, match: /^[A-Z]{2,8}-\d{4}-\d{6,}$/ },
    orderId: { type: Schema.Types.ObjectId, required: true },
    orderIdString: { type: String, required: true },
    userId: { type: String, required: true },
    requestedBy: { type: String, required: true },
    reason: { type: String, required: true, minlength: 10, maxlength: 500 },
    reasonCategory: { type: String, enum: RETURN_REASON_CATEGORIES, required: true },
    description: { type: String, default: null },
    items: { type: [returnItem], required: true },
    status: { type: String, enum: RETURN_STATUSES, required: true, default: 'Pending' },
    requestedAt: { type: Date, required: true },
    reviewedBy: { type: String, default: null },
    reviewedByName: { type: String, default: null },
    reviewedAt: { type: Date, default: null },
    approvalNotes: { type: String, default: null },
    // Null until a review approves an amount (mongoose runs custom validators on null).
    refundAmount: {
      ...minorUnits,
      validate: {
        validator: (v: number | null) => v === null || Number.isSafeInteger(v),
        message: minorUnits.validate.message,
      },
      default: null,
    },
    refundStatus: { type: String, enum: REFUND_STATUSES, required: true, default: 'Pending' },
    completedAt: { type: Date, default: null },
    pendingStep: { type: String, enum: [...RETURN_PENDING_STEPS, null], default: null },
    pendingSince: { type: Date, default: null },
    // Set when the return was requested under an Idempotency-Key (scope:user:key).
    idempotencyKey: { type: String, default: null },
  },
  { timestamps: true, collection: 'return_requests', versionKey: false },
);

returnRequestSchema.index({ orderId: 1 });
returnRequestSchema.index({ userId: 1 });
returnRequestSchema.index({ status: 1 });
returnRequestSchema.index({ requestedAt: -1 });
returnRequestSchema.index({ returnId: 1 }, { unique: true });
returnRequestSchema.index({ pendingStep: 1, pendingSince: 1 });
returnRequestSchema.index({ idempotencyKey: 1 });
// The overdue check and the attention list: Pending requests, oldest first, from the index.
returnRequestSchema.index({ status: 1, requestedAt: 1 });

export type ReturnRequestDoc = InferSchemaType<typeof returnRequestSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const ReturnRequest = model('ReturnRequest', returnRequestSchema);
