import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { minorUnits } from './money';

export const RETURN_REASON_CATEGORIES = [
  'Damaged', 'Wrong Item', 'Defective', 'Not as Described', 'Quality Issues', 'Changed Mind', 'Other',
] as const;
export const RETURN_STATUSES = ['Pending', 'Approved', 'Rejected', 'Completed'] as const;
export const REFUND_STATUSES = ['Pending', 'Processed', 'Completed'] as const;

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
    refundAmount: { ...minorUnits, default: null },
    refundStatus: { type: String, enum: REFUND_STATUSES, required: true, default: 'Pending' },
    completedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'return_requests', versionKey: false },
);

returnRequestSchema.index({ orderId: 1 });
returnRequestSchema.index({ userId: 1 });
returnRequestSchema.index({ status: 1 });
returnRequestSchema.index({ requestedAt: -1 });
returnRequestSchema.index({ returnId: 1 }, { unique: true });

export type ReturnRequestDoc = InferSchemaType<typeof returnRequestSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const ReturnRequest = model('ReturnRequest', returnRequestSchema);
