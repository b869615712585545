import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { shipmentSchema } from './order';

const orderHistorySchema = new Schema(
  {
    // The outbox event this row was written from; unique, so re-relaying writes nothing twice.
    eventId: { type: String, required: true },
    orderId: { type: Schema.Types.ObjectId, required: true },
    orderIdString: { type: String, required: true },
    previousStatus: { type: String, default: null },
    newStatus: { type: String, required: true },
    changedBy: { type: String, required: true },
    changedByRole: { type: String, required: true },
    changedByName: { type: String, default: null },
    notes: { type: String, default: null },
    // The carrier and tracking a change to Shipped (or a correction) set.
    shipment: { type: shipmentSchema, default: null },
    timestamp: { type: Date, required: true },
    metadata: {
      ipAddress: String,
      userAgent: String,
    },
  },
  { collection: 'order_history', versionKey: false },
);

orderHistorySchema.index({ orderId: 1 });
orderHistorySchema.index({ timestamp: -1 });
orderHistorySchema.index({ orderId: 1, timestamp: -1 });
orderHistorySchema.index({ eventId: 1 }, { unique: true });

export type OrderHistoryDoc = InferSchemaType<typeof orderHistorySchema> & { _id: Types.ObjectId };
export const OrderHistory = model('OrderHistory', orderHistorySchema);
