import { randomUUID } from 'node:crypto';
import { Webhook, WebhookDelivery, WebhookMark } from '../../models';
import { insertOnce } from '../../models/insert-once';
import type { DeliveryStatus, WebhookDeliveryDoc } from '../../models/webhook-delivery';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { Page } from '../pagination';
import { withDeliveryLock } from './delivery-lease';
import { deliveryIdOf } from './fan-out';

/** Puts a delivery on its way; `attempt` makes the job's id (a new one for each redelivery). */
export type ScheduleDelivery = (deliveryId: string, attempt: string) => Promise<void>;

export interface DeliveriesQuery {
  status?: DeliveryStatus;
  page: number;
  limit: number;
}

const disabledSubscription = () =>
  new ConflictError('The subscription is disabled; enable it first (PATCH with {"active": true})', 'webhookId');

async function assertWebhook(webhookId: string): Promise<void> {
  if (!(await Webhook.exists({ _id: webhookId }))) throw new NotFoundError('Webhook', 'webhookId');
}

/** A subscription's deliveries, newest first. */
export async function listDeliveries(webhookId: string, q: DeliveriesQuery): Promise<Page<WebhookDeliveryDoc>> {
  await assertWebhook(webhookId);
  const filter = { webhookId, ...(q.status && { status: q.status }) };
  const [rows, total] = await Promise.all([
    WebhookDelivery.find(filter, { payload: 0 })
      .sort({ createdAt: -1, _id: -1 })
      .skip((q.page - 1) * q.limit)
      .limit(q.limit)
      .lean<WebhookDeliveryDoc[]>(),
    WebhookDelivery.countDocuments(filter),
  ]);
  return { rows, page: q.page, limit: q.limit, total };
}

/** A `ping` now, through the same path (signature, log, retries) as any event. */
export async function pingWebhook(
  webhookId: string,
  schedule: ScheduleDelivery,
): Promise<{ deliveryId: string; eventId: string }> {
  const webhook = await Webhook.findById(webhookId, { active: 1 }).lean<{ active: boolean }>();
  if (!webhook) throw new NotFoundError('Webhook', 'webhookId');
  if (!webhook.active) throw disabledSubscription();
  const eventId = randomUUID();
  const deliveryId = deliveryIdOf(eventId, webhookId);
  const payload = { id: eventId, type: 'ping', occurredAt: new Date().toISOString(), data: { webhookId } };
  await WebhookDelivery.create({ _id: deliveryId, webhookId, eventId, eventType: 'ping', payload });
  await schedule(deliveryId, 'first');
  return { deliveryId, eventId };
}

/**
 * Sends a delivery again, with the same event id and body. One that is still on its way
 * (pending, or failed with a retry to come) is refused: it would then be sent twice at once.
 * So is one of a disabled subscription: its job would only give it up again.
 */
export async function redeliver(
  webhookId: string,
  deliveryId: string,
  schedule: ScheduleDelivery,
): Promise<{ deliveryId: string }> {
  const webhook = await Webhook.findById(webhookId, { active: 1 }).lean<{ active: boolean }>();
  if (!webhook) throw new NotFoundError('Webhook', 'webhookId');
  const delivery = await WebhookDelivery.findOne(
    { _id: deliveryId, webhookId },
    { status: 1, attempts: 1, abandonedAt: 1 },
  ).lean<Pick<WebhookDeliveryDoc, 'status' | 'attempts' | 'abandonedAt'>>();
  if (!delivery) throw new NotFoundError('Delivery', 'deliveryId');
  if (!webhook.active) throw disabledSubscription();
  const stillOnItsWay = () =>
    new ConflictError('The delivery is still being attempted; wait for its outcome', 'deliveryId');
  if (delivery.status === 'pending' || delivery.status === 'failed') throw stillOnItsWay();
  // Of redeliveries asked for at once, one claims the delivery as it stands: a unique insert,
  // which FerretDB keeps atomic where a filtered update is not. What it stands at is its
  // attempts so far and when it was last given up unattempted (the subscription disabled
  // under a redelivery): each outcome of a redelivery changes one of the two, so the next
  // redelivery has a claim of its own to take.
  const claim = `redeliver-${delivery.attempts}${delivery.abandonedAt ? `-${delivery.abandonedAt.getTime()}` : ''}`;
  if (!(await insertOnce(WebhookMark, { _id: `${deliveryId}:${claim}` }))) throw stillOnItsWay();
  await withDeliveryLock(deliveryId, () =>
    WebhookDelivery.updateOne({ _id: deliveryId }, { $set: { status: 'pending', nextAttemptAt: new Date() } }),
  );
  await schedule(deliveryId, claim);
  return { deliveryId };
}

/**
 * Deliveries due before `dueBefore` and still not attempted: their job may have been lost
 * with Redis's data. The reconciliation queues them again under their own id (nothing is
 * added while that job still exists).
 */
export async function overdueDeliveries(dueBefore: Date, limit = 1000): Promise<string[]> {
  const due = (status: DeliveryStatus) =>
    WebhookDelivery.find({ status, nextAttemptAt: { $lte: dueBefore } }, { _id: 1 })
      .limit(limit)
      .lean<{ _id: string }[]>();
  const [pending, failed] = await Promise.all([due('pending'), due('failed')]);
  return [...pending, ...failed].map((d) => d._id);
}
