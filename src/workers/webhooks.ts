import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Mailer } from '../clients/mailer';
import { webhookHttp, type WebhookPost } from '../clients/webhook-http';
import type { WebhookAnswer } from '../shared/messages';
import { config } from '../config';
import type { ServiceDeps } from '../services/deps';
import { logger } from '../logger';
import { deliveryJobSchema } from '../queues/payloads';
import type { Queues } from '../queues/queues';
import { DELIVER_JOB, scheduleDelivery } from '../queues/webhook-jobs';
import {
  abandonDelivery,
  deliveryTarget,
  disabledNotice,
  judge,
  noteOutcome,
  recordAttempt,
  requestOf,
  retryDelayMs,
  type Disabled,
} from '../services/webhooks/attempts';
import { markDeliveriesOfDeletedWebhook } from '../services/webhooks/deleted-subscriptions';
import { SecretUnreadable } from '../services/webhooks/secret-box';
import { fanOut, markFannedOut } from '../services/webhooks/fan-out';
import { eventOf, payloadOf } from './job-input';
import { JobSkipped } from './job-skipped';
import type { WorkerSettings } from './settings';

/** A failed attempt to try again after `delayMs` (the queue's `webhook` backoff reads it). */
export class RetryDeliveryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryDeliveryLater';
  }
}

/** The `webhook` backoff: the delay the attempt chose, else (a fan-out failing) the schedule's. */
export const webhookBackoff = (attemptsMade: number, _type?: string, err?: Error): number =>
  err instanceof RetryDeliveryLater ? err.delayMs : retryDelayMs(attemptsMade, null, config);

/**
 * Deliveries to one subscription at once in this process, at most `limit`: a slow or
 * failing receiver holds a few of the worker's slots, never all of them.
 */
function subscriptionSlots(limit: number) {
  const inFlight = new Map<string, number>();
  return {
    take(id: string): boolean {
      const n = inFlight.get(id) ?? 0;
      if (n >= limit) return false;
      inFlight.set(id, n + 1);
      return true;
    },
    release(id: string): void {
      const n = (inFlight.get(id) ?? 1) - 1;
      if (n > 0) inFlight.set(id, n);
      else inFlight.delete(id);
    },
  };
}

export interface WebhooksDeps {
  queues: Queues;
  mailer: Mailer;
  settings: WorkerSettings;
  /** What the use cases read of the configuration (signing keys, the retry schedule). */
  services: Pick<ServiceDeps, 'settings' | 'resolveHost'>;
  /** How a delivery is POSTed; the real HTTP client unless a test gives another. */
  send?: (post: WebhookPost) => Promise<WebhookAnswer>;
}

/**
 * webhooks: an event's job (named for its type) fans out into one delivery job per
 * subscription that wants it; a `deliver` job makes one attempt and records it.
 */
export function webhooksProcessor(deps: WebhooksDeps) {
  const send =
    deps.send ??
    webhookHttp({
      connectTimeoutMs: config.WEBHOOK_CONNECT_TIMEOUT_MS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS,
      resolveHost: deps.services.resolveHost,
    });
  const slots = subscriptionSlots(config.WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION);

  async function tellAdministrators(disabled: Disabled): Promise<void> {
    logger.warn({ webhookId: disabled.webhook._id, reason: disabled.reason }, 'webhook subscription disabled');
    if (!disabled.notify || !config.ADMIN_EMAILS.length) return;
    const notice = disabledNotice(disabled);
    const messageId = `<webhook-disabled-${disabled.webhook._id}-${disabled.webhook.activatedAt.getTime()}@${deps.settings.messageIdDomain}>`;
    // Never fails the delivery: its attempt is recorded, and a retry would POST it again.
    await deps.mailer
      .send({ to: config.ADMIN_EMAILS.join(', '), messageId, ...notice })
      .catch((err: unknown) =>
        logger.error(
          { err, webhookId: disabled.webhook._id },
          'could not email the administrators that a webhook was disabled',
        ),
      );
  }

  /** One attempt's answer. A secret no configured key opens is a failed attempt, not a request: retried, as the keys may be put right meanwhile. */
  async function attemptOf(target: Parameters<typeof requestOf>[0]): Promise<WebhookAnswer> {
    let post: WebhookPost;
    try {
      post = requestOf(target, deps.services.settings);
    } catch (err) {
      if (err instanceof SecretUnreadable)
        return {
          statusCode: null,
          error: `not sent: ${err.message}`,
          retryAfterMs: null,
          durationMs: 0,
          addressRefused: false,
        };
      throw err;
    }
    return send(post);
  }

  async function fanOutEvent(job: Job): Promise<{ deliveries: number }> {
    const ev = await eventOf(job);
    const deliveries = await fanOut(ev);
    for (const id of deliveries) await scheduleDelivery(deps.queues, id, 'first');
    await markFannedOut(ev.eventId);
    return { deliveries: deliveries.length };
  }

  async function deliver(job: Job, token: string): Promise<{ outcome: string; statusCode?: number | null }> {
    const { deliveryId } = payloadOf(job, deliveryJobSchema);
    const target = await deliveryTarget(deliveryId);
    // Deleting a subscription keeps its deliveries (marked, until the maintenance removes
    // them after any job of them could have run), so a delivery with no record was never
    // made: a job added by hand, refused like a forged event.
    if (!target) throw new UnrecoverableError(`no delivery ${deliveryId}`);
    const { delivery, webhook } = target;
    // A rerun of the first job (its worker died after recording the success) sends nothing twice.
    if (delivery.status === 'delivered' && job.id === deliveryId) return { outcome: 'already delivered' };
    if (!webhook) {
      // Marked again: a fan-out that raced the deletion may have made this one after it.
      await markDeliveriesOfDeletedWebhook(delivery.webhookId);
      throw new JobSkipped(
        'subscription-deleted',
        `subscription ${delivery.webhookId} of delivery ${deliveryId} was deleted`,
      );
    }
    if (!webhook.active) {
      await abandonDelivery(deliveryId, 'the subscription is disabled');
      return { outcome: 'abandoned' };
    }
    if (!slots.take(webhook._id)) {
      // Its subscription has its share of this worker: wait without spending an attempt.
      await job.moveToDelayed(Date.now() + 200 + Math.floor(Math.random() * 800), token);
      throw new DelayedError();
    }
    try {
      const answer = await attemptOf({ delivery, webhook });
      const attempt = job.attemptsMade + 1;
      const verdict = judge(answer, attempt, job.opts.attempts ?? 1);
      const delay = verdict === 'retry' ? retryDelayMs(attempt, answer.retryAfterMs, deps.services.settings) : null;
      await recordAttempt(deliveryId, delivery.attempts, answer, verdict, delay);
      const disabled = await noteOutcome(webhook, verdict, deps.services.settings);
      if (disabled) await tellAdministrators(disabled);
      const why = answer.error ?? `HTTP ${answer.statusCode}`;
      if (verdict === 'retry' && delay !== null)
        throw new RetryDeliveryLater(`attempt ${attempt} failed: ${why}`, delay);
      if (verdict === 'refused' || verdict === 'exhausted')
        throw new UnrecoverableError(
          `delivery ${deliveryId} ${verdict === 'refused' ? 'refused' : `failed ${attempt} times`}: ${why}`,
        );
      return { outcome: verdict, statusCode: answer.statusCode };
    } finally {
      slots.release(webhook._id);
    }
  }

  return (job: Job, token: string) => (job.name === DELIVER_JOB ? deliver(job, token) : fanOutEvent(job));
}
