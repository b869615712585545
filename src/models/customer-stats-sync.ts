import { Schema, model } from 'mongoose';

/**
 * The last statistics the Customer Service accepted for a customer, by when their totals
 * were read: an event recorded before that time is reflected in them.
 */
const customerStatsSyncSchema = new Schema(
  {
    _id: { type: String, required: true }, // the customer id
    calculatedAt: { type: Date, required: true },
  },
  { collection: 'customer_stats_syncs', versionKey: false },
);

export const CustomerStatsSync = model('CustomerStatsSync', customerStatsSyncSchema);
