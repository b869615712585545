/**
 * The webhook half of the demo: a subscription to the receiver stand-in (scripts/dev-peers,
 * which verifies every signature), one delivery refused on purpose so it is dead-lettered,
 * and that dead letter replayed once the receiver is healed.
 */
import { deadLetterIdOf } from '../../src/queues/dead-letter';
import { STAND_INS, call, json, waitFor } from './api';

export interface Received {
  deliveryId: string;
  eventId: string;
  eventType: string;
  verified: boolean;
  answered: number;
  receivedAt: string;
}

export class Receiver {
  readonly url: string;
  constructor(readonly name: string) {
    this.url = `${STAND_INS}/webhook-receiver/${name}`;
  }

  /** What the receiver answers from now on; the secret it verifies signatures with. */
  async configure(settings: { answer?: number; secret?: string }): Promise<void> {
    await json(this.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
  }

  async received(): Promise<Received[]> {
    return (await json<{ received: Received[] }>(this.url)).received;
  }
}

export interface Subscription {
  webhookId: string;
  receiver: Receiver;
}

/** Subscribes the receiver to every event type; it learns the secret before any delivery can come. */
export async function subscribe(receiver: Receiver): Promise<Subscription> {
  await receiver.configure({ answer: 200 });
  const { data } = await call<{ webhookId: string; secret: string }>(
    'admin',
    'POST',
    '/api/orders/webhooks',
    { url: receiver.url, events: ['*'], description: `demo receiver ${receiver.name}` },
    [201],
  );
  await receiver.configure({ secret: data.secret });
  return { webhookId: data.webhookId, receiver };
}

export interface Replayed {
  deadLetterId: string;
  deliveryId: string;
  firstAnswer: number;
}

/**
 * The receiver refuses (400) a ping, which fails at once and is dead-lettered; healed, it
 * gets the same delivery again when the dead letter is replayed, and verifies it.
 */
export async function deadLetterReplayed(sub: Subscription, deadline: number): Promise<Replayed> {
  await sub.receiver.configure({ answer: 400 });
  const { data: ping } = await call<{ deliveryId: string }>(
    'admin',
    'POST',
    `/api/orders/webhooks/${sub.webhookId}/test`,
    undefined,
    [202],
  );
  const deadLetterId = deadLetterIdOf('webhooks', ping.deliveryId);
  await waitFor(
    async () =>
      (
        await call(
          'admin',
          'GET',
          `/api/orders/dead-letters/${encodeURIComponent(deadLetterId)}`,
          undefined,
          [200, 404],
        )
      ).res.status === 200,
    deadline,
    () => `the ping the receiver refused (delivery ${ping.deliveryId}) was not dead-lettered`,
  );
  await sub.receiver.configure({ answer: 200 });
  await call('admin', 'POST', `/api/orders/dead-letters/${encodeURIComponent(deadLetterId)}/replay`);
  const delivered = await waitFor(
    async () =>
      (await sub.receiver.received()).find((r) => r.deliveryId === ping.deliveryId && r.answered === 200 && r.verified),
    deadline,
    () => `the replayed dead letter ${deadLetterId} did not reach the healed receiver`,
  );
  const refused = (await sub.receiver.received()).find(
    (r) => r.deliveryId === delivered.deliveryId && r.answered === 400,
  );
  return { deadLetterId, deliveryId: ping.deliveryId, firstAnswer: refused?.answered ?? 400 };
}
