import { Schema, model } from 'mongoose';

/**
 * A short lease on one delivery's row of the deliveries log, held while an attempt's outcome
 * is written (src/services/webhooks/delivery-lease.ts). Inserting a taken `_id` fails
 * atomically on FerretDB as on MongoDB, which a filtered update does not.
 */
const webhookDeliveryLockSchema = new Schema(
  {
    _id: { type: String, required: true }, // the delivery's _id
    token: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'webhook_delivery_locks', versionKey: false },
);

export const WebhookDeliveryLock = model('WebhookDeliveryLock', webhookDeliveryLockSchema);
