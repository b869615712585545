import type { Job } from 'bullmq';
import { eventJobSchema, type EventJob } from '../queues/payloads';
import { compareWithCommitted } from '../services/committed-events';
import { NotFoundError } from '../shared/errors';
import { orderDeletedSince } from '../services/events/deleted-order-events';
import { JobSkipped } from './job-skipped';
import type { Processor } from './processor';

/*
 * The one rule for jobs of events whose order was deleted after they were queued: they are
 * skipped, never failed. Two ways to find out, both only for an event that matches a
 * committed one field for field (a forged job still fails, job-input.ts):
 * - its record is marked (the deletion is done): eventWithReads sees it in the check it
 *   makes anyway, before the job does anything;
 * - the job misses the order, or its return, while the deletion is under way (the order
 *   goes first, its events are marked after) or died half-way: the NotFoundError is looked
 *   into here, once for every queue.
 */

export const orderDeletedSkip = (ev: Pick<EventJob, 'eventId' | 'orderId'>): JobSkipped =>
  new JobSkipped('order-deleted', `order ${ev.orderId} of event ${ev.eventId} was deleted`);

/** The committed event the job carries, when its order was deleted since; null otherwise. */
async function eventOfDeletedOrder(job: Job): Promise<EventJob | null> {
  const parsed = eventJobSchema.safeParse(job.data);
  if (!parsed.success || parsed.data.type !== job.name) return null;
  const ev = parsed.data;
  const compared = await compareWithCommitted(ev);
  if (!compared || compared.differences.length) return null;
  return compared.orderDeleted || (await orderDeletedSince(ev)) ? ev : null;
}

/** `processor`, with an event job that failed for missing its deleted order skipped instead. */
export function skippingEventsOfDeletedOrders(processor: Processor): Processor {
  return async (job, token) => {
    try {
      return await processor(job, token);
    } catch (err) {
      const ev = err instanceof NotFoundError ? await eventOfDeletedOrder(job) : null;
      throw ev ? orderDeletedSkip(ev) : err;
    }
  };
}
