import type { WebhookDeliveryDoc } from '../../models/webhook-delivery';
import type { Page } from '../../services/pagination';
import type { WebhookView, WebhookWithSecret } from '../../services/webhooks/subscriptions';
import { presentPagination } from './pagination';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function presentWebhook(w: WebhookView) {
  return {
    webhookId: w._id,
    url: w.url,
    events: w.events,
    description: w.description ?? null,
    active: w.active,
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
    failingSince: iso(w.failingSince),
    disabledAt: iso(w.disabledAt),
    disabledReason: w.disabledReason ?? null,
    previousSecretExpiresAt:
      w.previousSecretExpiresAt && w.previousSecretExpiresAt.getTime() > Date.now()
        ? iso(w.previousSecretExpiresAt)
        : null,
  };
}

/** The only answers that carry the secret: creation and rotation. */
export const presentWebhookWithSecret = (w: WebhookWithSecret) => ({ ...presentWebhook(w), secret: w.secret });

export const presentWebhookList = (list: WebhookView[]) => ({ webhooks: list.map(presentWebhook) });

export function presentDelivery(d: WebhookDeliveryDoc) {
  return {
    deliveryId: d._id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    lastAttemptAt: iso(d.lastAttemptAt),
    durationMs: d.durationMs ?? null,
    nextAttemptAt: iso(d.nextAttemptAt),
    deliveredAt: iso(d.deliveredAt),
    createdAt: iso(d.createdAt),
  };
}

export const presentDeliveryPage = (page: Page<WebhookDeliveryDoc>) => ({
  deliveries: page.rows.map(presentDelivery),
  pagination: presentPagination(page),
});
