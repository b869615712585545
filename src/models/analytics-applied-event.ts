import { Schema, model } from 'mongoose';

/** Events already counted in the daily rollups, so a job that runs twice counts once. */
const analyticsAppliedEventSchema = new Schema(
  {
    _id: { type: String, required: true }, // the event id
    day: { type: String, required: true },
    appliedAt: { type: Date, required: true },
  },
  { collection: 'analytics_applied_events', versionKey: false },
);

analyticsAppliedEventSchema.index({ appliedAt: 1 });

export const AnalyticsAppliedEvent = model('AnalyticsAppliedEvent', analyticsAppliedEventSchema);
