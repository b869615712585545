import { Schema, model, type InferSchemaType } from 'mongoose';

export const EMAIL_DELIVERY_STATES = ['sending', 'sent', 'failed'] as const;

/**
 * One row per event that gets an email, keyed by the event id: the claim that makes a job
 * which runs twice send once. `sending` is held by one job run (`holder`) until
 * `lockedUntil`; `failed` means the SMTP server refused it (nothing was delivered), so the
 * next run may send; `sent` is final.
 */
const emailDeliverySchema = new Schema(
  {
    _id: { type: String, required: true }, // the event id
    eventType: { type: String, required: true },
    orderId: { type: String, required: true },
    template: { type: String, required: true },
    state: { type: String, enum: EMAIL_DELIVERY_STATES, required: true },
    holder: { type: String, required: true }, // queue/jobId/token: the one run that holds the claim
    lockedUntil: { type: Date, required: true },
    attempts: { type: Number, required: true, default: 1 },
    messageId: { type: String, required: true },
    // Set when a run ended without knowing whether the server took the message; the next
    // run sends again (same Message-ID), so this records a possible duplicate.
    maybeSent: { type: Boolean, default: false },
    smtpResponse: { type: String, default: null },
    lastError: { type: String, default: null },
    sentAt: { type: Date, default: null },
  },
  { collection: 'email_deliveries', versionKey: false, timestamps: true },
);

emailDeliverySchema.index({ orderId: 1 });
emailDeliverySchema.index({ state: 1, lockedUntil: 1 });
// Retention (services/retention): sent or refused records by state (equality), oldest change first.
emailDeliverySchema.index({ state: 1, updatedAt: 1 });

export type EmailDeliveryDoc = InferSchemaType<typeof emailDeliverySchema>;
export const EmailDelivery = model('EmailDelivery', emailDeliverySchema);
