import { Webhook, WebhookDelivery, WebhookMark } from '../../models';
import { insertOnce } from '../../models/insert-once';
import type { WebhookDoc } from '../../models/webhook';
import type { WebhookDeliveryDoc } from '../../models/webhook-delivery';
import { withDeliveryLock } from './delivery-lease';
import { signingSecrets } from './subscriptions';
import type { SecretKeys } from './secret-box';
import type { ServiceSettings } from '../settings';

/** The retry schedule's settings: the first delay, doubling up to the longest. */
export type RetrySchedule = Pick<ServiceSettings, 'WEBHOOK_BACKOFF_MS' | 'WEBHOOK_MAX_RETRY_DELAY_MS'>;
import { signatureHeader, standardWebhookHeaders } from './signature';
import type { WebhookAnswer } from '../../shared/messages';

/**
 * What an attempt means: delivered (2xx); gone (410: the receiver wants no more, the
 * subscription is disabled); refused (any other 3xx/4xx but 408 and 429, or an address
 * webhooks may not reach: the same request will be refused again); retry (5xx, 408, 429, no answer) while attempts remain, else
 * exhausted.
 */
export type Verdict = 'delivered' | 'gone' | 'refused' | 'retry' | 'exhausted';

export function judge(
  answer: Pick<WebhookAnswer, 'statusCode' | 'addressRefused'>,
  attempt: number,
  maxAttempts: number,
): Verdict {
  if (answer.addressRefused) return 'refused';
  const s = answer.statusCode;
  if (s !== null && s >= 200 && s < 300) return 'delivered';
  if (s === 410) return 'gone';
  if (s !== null && s < 500 && s !== 408 && s !== 429) return 'refused';
  return attempt >= maxAttempts ? 'exhausted' : 'retry';
}

/**
 * The wait before the attempt after `attempt` (1-based): WEBHOOK_BACKOFF_MS doubled each
 * time, plus up to 20% at random (so receivers that fail together are not retried
 * together), never less than the receiver's Retry-After. 12 attempts span about 34 hours.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  schedule: RetrySchedule,
  random = Math.random(),
): number {
  const backoff = schedule.WEBHOOK_BACKOFF_MS * 2 ** Math.max(0, attempt - 1) * (1 + 0.2 * random);
  return Math.round(Math.min(schedule.WEBHOOK_MAX_RETRY_DELAY_MS, Math.max(backoff, retryAfterMs ?? 0)));
}

export interface DeliveryTarget {
  delivery: WebhookDeliveryDoc;
  webhook: WebhookDoc | null;
}

/** The delivery and its subscription (null when deleted); null when there is no such delivery. */
export async function deliveryTarget(deliveryId: string): Promise<DeliveryTarget | null> {
  const delivery = await WebhookDelivery.findById(deliveryId).lean<WebhookDeliveryDoc>();
  if (!delivery) return null;
  return { delivery, webhook: await Webhook.findById(delivery.webhookId).lean<WebhookDoc>() };
}

/** The request of an attempt: the stored body, byte for byte the same each time, signed now. */
export function requestOf(
  target: { delivery: WebhookDeliveryDoc; webhook: WebhookDoc },
  keys: SecretKeys,
): {
  url: string;
  body: string;
  headers: Record<string, string>;
} {
  const { delivery, webhook } = target;
  const body = JSON.stringify(delivery.payload);
  const secrets = signingSecrets(webhook, keys);
  const t = Math.floor(Date.now() / 1000);
  return {
    url: webhook.url,
    body,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'ORMS-Webhooks/1',
      'ORMS-Event-Id': delivery.eventId,
      'ORMS-Event-Type': delivery.eventType,
      'ORMS-Delivery-Id': delivery._id,
      'ORMS-Signature': signatureHeader(secrets, body, t),
      ...standardWebhookHeaders(delivery._id, secrets, body, t),
    },
  };
}

const STATUS_OF: Record<Verdict, WebhookDeliveryDoc['status']> = {
  delivered: 'delivered',
  gone: 'dead',
  refused: 'dead',
  retry: 'failed',
  exhausted: 'dead',
};

/**
 * Writes an attempt into the deliveries log: the attempt after the `previousAttempts` the
 * log showed when it started. Two runs of one job at once (a lock that lapsed under a
 * live worker) count once, and a failure never overwrites a success: `$inc` would count
 * twice, and the status filter alone would not hold on FerretDB, which applies concurrent
 * updates of a document as read-modify-write; hence the delivery's lease around the write.
 */
export async function recordAttempt(
  deliveryId: string,
  previousAttempts: number,
  answer: WebhookAnswer,
  verdict: Verdict,
  nextDelayMs: number | null,
  at = new Date(),
): Promise<void> {
  await withDeliveryLock(deliveryId, async () => {
    await WebhookDelivery.updateOne(
      verdict === 'delivered' ? { _id: deliveryId } : { _id: deliveryId, status: { $ne: 'delivered' } },
      {
        $set: {
          status: STATUS_OF[verdict],
          lastStatusCode: answer.statusCode,
          lastError: answer.error ?? (verdict === 'delivered' ? null : `HTTP ${answer.statusCode}`),
          lastAttemptAt: at,
          durationMs: answer.durationMs,
          nextAttemptAt: verdict === 'retry' && nextDelayMs !== null ? new Date(at.getTime() + nextDelayMs) : null,
          ...(verdict === 'delivered' && { deliveredAt: at }),
        },
        $max: { attempts: previousAttempts + 1 },
      },
    );
  });
}

/**
 * A delivery that will not be attempted (its subscription is disabled). `abandonedAt` tells
 * this outcome from the one before it, as a new attempt count does for an attempt: a
 * redelivery claims the delivery as it stands (deliveries.ts), so one abandoned after a
 * redelivery can be claimed again once its subscription is enabled.
 */
export async function abandonDelivery(deliveryId: string, reason: string, at = new Date()): Promise<void> {
  await withDeliveryLock(deliveryId, () =>
    WebhookDelivery.updateOne(
      { _id: deliveryId, status: { $ne: 'delivered' } },
      { $set: { status: 'dead', lastError: reason, nextAttemptAt: null, abandonedAt: at } },
    ),
  );
}

export interface Disabled {
  webhook: WebhookDoc;
  reason: string;
  /** True for exactly one caller per period of activity: that one tells the administrators. */
  notify: boolean;
}

async function disable(webhook: WebhookDoc, reason: string, at: Date): Promise<Disabled> {
  await Webhook.updateOne(
    { _id: webhook._id, active: true },
    { $set: { active: false, disabledAt: at, disabledReason: reason, updatedAt: at } },
  );
  const notify = await insertOnce(WebhookMark, { _id: `disabled:${webhook._id}:${webhook.activatedAt.getTime()}` });
  return { webhook, reason, notify };
}

/**
 * Keeps the subscription's health after an attempt: a success ends a failure streak; a
 * failure starts one, or, when the streak is older than WEBHOOK_DISABLE_AFTER_HOURS,
 * disables the subscription; a 410 disables it at once. Returns the disabling, if any.
 */
export async function noteOutcome(
  webhook: WebhookDoc,
  verdict: Verdict,
  settings: Pick<ServiceSettings, 'WEBHOOK_DISABLE_AFTER_HOURS'>,
  at = new Date(),
): Promise<Disabled | null> {
  if (verdict === 'delivered') {
    if (webhook.failingSince) await Webhook.updateOne({ _id: webhook._id }, { $set: { failingSince: null } });
    return null;
  }
  if (verdict === 'gone') return disable(webhook, 'the receiver answered 410 Gone', at);
  if (!webhook.failingSince) {
    await Webhook.updateOne({ _id: webhook._id, failingSince: null }, { $set: { failingSince: at } });
    return null;
  }
  if (at.getTime() - webhook.failingSince.getTime() >= settings.WEBHOOK_DISABLE_AFTER_HOURS * 3600_000) {
    return disable(webhook, `every delivery failed since ${webhook.failingSince.toISOString()}`, at);
  }
  return null;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The administrators' notice of a disabled subscription. */
export function disabledNotice({ webhook, reason }: Disabled): { subject: string; text: string; html: string } {
  const lines = [
    `The webhook subscription ${webhook._id} (${webhook.url}) was disabled: ${reason}.`,
    'No events are sent to it until an administrator enables it again (PATCH /api/orders/webhooks/:webhookId with {"active": true});',
    'deliveries it missed are in its deliveries log and can be redelivered.',
  ];
  return {
    subject: `ORMS webhook ${webhook._id} disabled`,
    text: lines.join('\n'),
    html: lines.map((l) => `<p>${escapeHtml(l)}</p>`).join(''),
  };
}
