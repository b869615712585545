import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { minorUnits } from './money';

const orderItemSchema = new Schema(
  {
    orderId: { type: Schema.Types.ObjectId, required: true },
    orderIdString: { type: String, required: true },
    productId: { type: String, required: true },
    productName: { type: String, required: true, minlength: 1, maxlength: 200 },
    productDescription: { type: String, default: null },
    sku: { type: String, default: null },
    quantity: { type: Number, required: true, min: 1 },
    unitPrice: { ...minorUnits, required: true, min: 1 },
    totalPrice: { ...minorUnits, required: true },
    discount: { ...minorUnits, required: true, min: 0 },
    tax: { ...minorUnits, required: true, min: 0 },
    finalPrice: { ...minorUnits, required: true },
    returnRequested: { type: Boolean, default: false },
    returnQuantity: { type: Number, default: 0 },
    returnedQuantity: { type: Number, default: 0 },
    returnReason: { type: String, default: null },
    // The return request (RET-…) the return marks above belong to.
    returnId: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'order_items', versionKey: false },
);

orderItemSchema.index({ orderId: 1 });
orderItemSchema.index({ productId: 1 });
orderItemSchema.index({ returnRequested: 1 });

export type OrderItemDoc = InferSchemaType<typeof orderItemSchema> & { _id: Types.ObjectId; createdAt: Date };
export const OrderItem = model('OrderItem', orderItemSchema);
