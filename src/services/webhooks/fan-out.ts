import { createHash } from 'node:crypto';
import { OrderEvent, Webhook, WebhookDelivery, WebhookMark } from '../../models';
import { insertOnce } from '../../models/insert-once';
import type { OrderEventDoc } from '../../models/order-event';
import type { WebhookDoc } from '../../models/webhook';
import type { CommittedEvent } from '../committed-events';
import { publicEventOf } from '../events/public-event';
import { wants } from './subscriptions';

/** One delivery per (event, subscription): the same id however often the fan-out runs. */
export const deliveryIdOf = (eventId: string, webhookId: string): string =>
  `dlv_${createHash('sha256').update(`${eventId}\n${webhookId}`).digest('hex').slice(0, 32)}`;

const fanoutMark = (eventId: string) => `fanout:${eventId}`;

/** What a receiver gets: the public event, without the fields the feed adds for readers. */
export function webhookBodyOf(doc: OrderEventDoc): Record<string, unknown> {
  const { id, type, occurredAt, data } = publicEventOf(doc);
  return { id, type, occurredAt, data };
}

/**
 * Makes the deliveries of a committed event, one per active subscription that wants its type
 * and existed when it occurred, each with the body every attempt will send. Returns the
 * deliveries still to be sent (a run after a crash returns the ones not yet delivered, so
 * their jobs are added again; the job ids make that harmless). The caller queues them,
 * then calls markFannedOut.
 */
export async function fanOut(event: CommittedEvent): Promise<string[]> {
  const occurredAt = new Date(event.occurredAt);
  const subscriptions = (await Webhook.find({ active: true }).lean<WebhookDoc[]>()).filter(
    (w) => wants(w, event.type) && w.createdAt <= occurredAt,
  );
  if (!subscriptions.length) return [];
  const doc = await OrderEvent.findById(event.eventId).lean<OrderEventDoc>();
  if (!doc) return [];
  const toSend: string[] = [];
  const payload = webhookBodyOf(doc);
  for (const w of subscriptions) {
    const _id = deliveryIdOf(event.eventId, w._id);
    const made = await insertOnce(WebhookDelivery, {
      _id,
      webhookId: w._id,
      eventId: event.eventId,
      eventType: event.type,
      payload,
    });
    if (made || (await WebhookDelivery.exists({ _id, status: 'pending' }))) toSend.push(_id);
  }
  return toSend;
}

export async function markFannedOut(eventId: string): Promise<void> {
  await insertOnce(WebhookMark, { _id: fanoutMark(eventId) });
}

export const isFannedOut = async (eventId: string): Promise<boolean> =>
  (await WebhookMark.exists({ _id: fanoutMark(eventId) })) !== null;
