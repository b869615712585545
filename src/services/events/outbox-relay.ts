import type { Types } from 'mongoose';
import { logger } from '../../logger';
import { Order } from '../../models';
import { committedEventOf, eventDetailsOf, recordCommittedEvent, type CommittedEvent } from '../committed-events';
import type { RelayableOrder } from '../deps';
import { projectHistory } from '../history-projection';
import { withOrderLock } from '../order-write';

/**
 * The port the relay hands committed events to: queues/enqueue-event.ts puts each on the
 * queue of every effect it has, under the event's id (adding it twice adds nothing).
 */
export type EnqueueEvent = (event: CommittedEvent) => Promise<void>;

export interface OutboxRelay {
  /**
   * Delivers an order's pending events; never throws (the sweeper retries what fails).
   * Takes the order's id, or the document its commit just returned (one read less).
   */
  relay(order: Types.ObjectId | RelayableOrder): Promise<void>;
  /** Relays every order whose events are older than `olderThanMs`; returns how many orders. */
  sweep(olderThanMs: number, batch?: number): Promise<number>;
}

/** The fields of an order its relay reads (RelayableOrder). */
const RELAYABLE = {
  orderId: 1,
  userId: 1,
  customerId: 1,
  version: 1,
  outbox: 1,
  totalAmount: 1,
  itemCount: 1,
  status: 1,
} as const;

/**
 * Delivers what commits leave in an order's outbox (DESIGN.md 3): the history rows and the
 * event records first, then the jobs, then the outbox is cleared if nothing was appended.
 */
export function createOutboxRelay(enqueue: EnqueueEvent): OutboxRelay {
  async function deliver(order: RelayableOrder): Promise<void> {
    const events = order.outbox;
    if (!events.length) return;
    const jobs: CommittedEvent[] = events.map((event) => committedEventOf(order, event));
    // History first: it must be readable as soon as the change's response is sent. The
    // event record too: a worker acts only on a job that matches one (workers/job-input.ts).
    for (const [i, event] of events.entries())
      await Promise.all([projectHistory(order, event), recordCommittedEvent(jobs[i], eventDetailsOf(order, event))]);
    for (const job of jobs) await enqueue(job);
    // Clear only if no change appended events since we read them; otherwise that
    // change's own relay (or the sweeper) delivers everything, again idempotently.
    // Under the order's lock: on FerretDB an unlocked write could overwrite a concurrent commit.
    await withOrderLock(order._id, () =>
      Order.updateOne({ _id: order._id, version: order.version }, { $set: { outbox: [], outboxPending: false } }),
    );
  }

  async function relay(target: Types.ObjectId | RelayableOrder): Promise<void> {
    const orderRef = 'outbox' in target ? target._id : target;
    try {
      const order = 'outbox' in target ? target : await Order.findById(orderRef, RELAYABLE).lean<RelayableOrder>();
      if (order) await deliver(order);
    } catch (err) {
      logger.warn({ err, orderRef: orderRef.toHexString() }, 'outbox relay failed; the sweeper will retry');
    }
  }

  async function sweep(olderThanMs: number, batch = 200): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs);
    // What the relay needs, read in this one query rather than once more per order.
    const stale = await Order.find({ outboxPending: true, 'outbox.createdAt': { $lte: cutoff } }, RELAYABLE)
      .limit(batch)
      .lean<RelayableOrder[]>();
    for (const order of stale) await relay(order);
    if (stale.length) logger.info({ orders: stale.length }, 'outbox sweeper re-relayed pending events');
    return stale.length;
  }

  return { relay, sweep };
}
