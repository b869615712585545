import { Schema, model } from 'mongoose';

/**
 * Pre-aggregated analytics of the orders placed on one UTC day (DESIGN.md 10), so the
 * analytics endpoint reads one document per day whatever the number of orders. Every
 * figure describes the orders placed that day as they stand now: when an order changes
 * status its count and value move from one status to the other on its placement day.
 * Money in minor units. Written only with $inc (see services/analytics).
 */
const analyticsDailySchema = new Schema(
  {
    _id: { type: String, required: true }, // YYYY-MM-DD (UTC)
    orders: { type: Number, default: 0 },
    gross: { type: Number, default: 0 }, // Σ totalAmount
    items: { type: Number, default: 0 }, // Σ itemCount
    // { [statusKey]: { n: count, v: value } }, statusKey = status without spaces
    status: { type: Schema.Types.Mixed, default: {} },
    returns: {
      requested: { type: Number, default: 0 },
      approved: { type: Number, default: 0 },
      rejected: { type: Number, default: 0 },
      completed: { type: Number, default: 0 },
    },
    refunds: {
      approved: { type: Number, default: 0 }, // Σ refundAmount of approved returns
      completed: { type: Number, default: 0 },
    },
    // { [productKey]: { id, name, q: units, r: revenue } } of orders not cancelled
    products: { type: Schema.Types.Mixed, default: {} },
    // Events being applied right now (see applyOnce); normally empty.
    pending: { type: [String], default: [] },
  },
  { collection: 'analytics_daily', versionKey: false, minimize: false },
);

export const AnalyticsDaily = model('AnalyticsDaily', analyticsDailySchema);
