import { Schema, model } from 'mongoose';

/**
 * A webhook subscription: where to POST which events, and the secret that signs them.
 * The secret must be kept to sign with; the API shows it only when it is made (create,
 * rotate-secret). During a rotation the previous one signs too, until it expires.
 */
const webhookSchema = new Schema(
  {
    _id: { type: String, required: true }, // wh_<hex>
    url: { type: String, required: true },
    events: { type: [String], required: true },
    description: { type: String, default: null },
    active: { type: Boolean, default: true },
    secret: { type: String, required: true },
    previousSecret: { type: String, default: null },
    previousSecretExpiresAt: { type: Date, default: null },
    createdAt: { type: Date, default: Date.now },
    updatedAt: { type: Date, default: Date.now },
    // Since when it is active (made, or enabled again): one disable notice per period.
    activatedAt: { type: Date, default: Date.now },
    // The first failure since its last success; long enough ago, the subscription is disabled.
    failingSince: { type: Date, default: null },
    disabledAt: { type: Date, default: null },
    disabledReason: { type: String, default: null },
  },
  { collection: 'webhooks', versionKey: false },
);

webhookSchema.index({ active: 1 });

export interface WebhookDoc {
  _id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  activatedAt: Date;
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
}
export const Webhook = model('Webhook', webhookSchema);
