import { Schema, model } from 'mongoose';

/**
 * A short lease on one order, held by whoever writes it (src/services/order-write.ts).
 * Inserting a document with a taken `_id` fails atomically on FerretDB as on MongoDB,
 * which a filtered update does not (see withOrderLock).
 */
const orderLockSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true }, // the order's _id
    token: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'order_locks', versionKey: false },
);

export const OrderLock = model('OrderLock', orderLockSchema);
