import { Schema, model } from 'mongoose';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one subscription, with the exact body every attempt sends (so repeats
 * carry the same event id and content) and how its attempts went: the deliveries log.
 * `_id` derives from (event, subscription), so a fan-out run twice makes one.
 */
const webhookDeliverySchema = new Schema(
  {
    _id: { type: String, required: true }, // dlv_<hex>
    webhookId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'pending' },
    attempts: { type: Number, default: 0 },
    lastStatusCode: { type: Number, default: null },
    lastError: { type: String, default: null },
    lastAttemptAt: { type: Date, default: null },
    durationMs: { type: Number, default: null },
    // When the next attempt is due (now, for a new or redelivered one); null once no attempt will follow.
    nextAttemptAt: { type: Date, default: Date.now },
    deliveredAt: { type: Date, default: null },
    // When it was last given up without an attempt (its subscription disabled): a new outcome
    // with no new attempt, which a redelivery's claim must tell from the one before.
    abandonedAt: { type: Date, default: null },
    createdAt: { type: Date, default: Date.now },
    // Set when its subscription was deleted (services/webhooks/deleted-subscriptions.ts): the
    // record stays, so that a job of it still on its way finds it and is skipped, not refused
    // as made up, until the maintenance removes it. The flag beside the time is what that
    // removal looks up: FerretDB v1 hands PostgreSQL only equality on a scalar.
    webhookDeleted: { type: Boolean, default: false },
    webhookDeletedAt: { type: Date, default: null },
  },
  { collection: 'webhook_deliveries', versionKey: false, minimize: false },
);

webhookDeliverySchema.index({ webhookId: 1, createdAt: -1 });
webhookDeliverySchema.index({ webhookId: 1, status: 1 });
webhookDeliverySchema.index({ eventId: 1 });
webhookDeliverySchema.index({ status: 1, nextAttemptAt: 1 });
webhookDeliverySchema.index({ webhookDeleted: 1, webhookDeletedAt: 1 });
// Retention (services/retention): finished deliveries by status (equality), oldest first.
webhookDeliverySchema.index({ status: 1, createdAt: 1 });

export interface WebhookDeliveryDoc {
  _id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  durationMs: number | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  abandonedAt?: Date | null;
  createdAt: Date;
  webhookDeleted?: boolean;
  webhookDeletedAt?: Date | null;
}
export const WebhookDelivery = model('WebhookDelivery', webhookDeliverySchema);

/**
 * Markers written once: an event fanned out to its subscriptions (`fanout:<eventId>`, what
 * the reconciliation checks), a subscription's disable notice sent (`disabled:<id>:<ms>`).
 */
const webhookMarkSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, default: Date.now } },
  { collection: 'webhook_marks', versionKey: false },
);
// Retention (services/retention): marks past their window, oldest first.
webhookMarkSchema.index({ at: 1 });
export const WebhookMark = model('WebhookMark', webhookMarkSchema);
