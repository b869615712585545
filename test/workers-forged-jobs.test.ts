import { Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { AnalyticsDaily, OrderEvent } from '../src/models';
import type { EventJob } from '../src/queues/payloads';
import { drained, settled } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';

const t = useTestApp({ workers: ['emails', 'customer-stats', 'analytics', 'refunds'], smtp: true, customers: true });
/** The committed order.created event of a real order, as its jobs carried it. */
let real: EventJob;

beforeAll(async () => {
  const orderId = await t.as('alice').placeOrder();
  const event = await eventually(() => OrderEvent.findOne({ orderId }).lean(), 3000, 'the event record');
  real = (await t.queues.emails.getJob(event._id))?.data as EventJob;
  await eventually(
    async () => t.customers.calls.length === 1 && t.smtp.received.length === 1,
    8000,
    'the real order’s email and statistics',
  );
  for (const q of ['emails', 'customer-stats', 'analytics'] as const) await drained(t.queues[q]);
}, 30_000);

/** Adds a job as someone with the board or Redis in hand might, and waits for its end. */
async function forge(queue: Queue, name: string, data: object) {
  const job = await queue.add(name, data, { jobId: `forged-${randomUUID()}` });
  return settled(queue, String(job.id));
}

const analyticsNow = () => AnalyticsDaily.find({}, { updatedAt: 0 }).sort({ _id: 1 }).lean();

describe('jobs that are not events of a committed change', () => {
  it('a status update with a made-up event id for a real order sends nothing and is dead-lettered', async () => {
    const forged = {
      ...real,
      eventId: randomUUID(),
      type: 'order.status_changed',
      previousStatus: 'Shipped',
      newStatus: 'Delivered',
    };

    const job = await forge(t.queues.emails, 'order.status_changed', forged);

    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toBe(`event ${forged.eventId} is not an event of a committed change`);
    expect(t.smtp.received).toHaveLength(1);
    expect(await t.queues['dead-letter'].getJob(`emails-${String(job.id)}`)).toBeTruthy();
  });

  it('a made-up event of an order that does not exist fails for not being committed, though the email it would compose is read alongside the check', async () => {
    const forged = { ...real, eventId: randomUUID(), orderRef: new Types.ObjectId().toHexString() };

    const job = await forge(t.queues.emails, 'order.created', forged);

    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toBe(`event ${forged.eventId} is not an event of a committed change`);
    expect(t.smtp.received).toHaveLength(1);
  });

  it('a real event id with its statuses altered sends nothing', async () => {
    const altered = { ...real, newStatus: 'Delivered' };

    const job = await forge(t.queues.emails, 'order.created', altered);

    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toBe(`event ${real.eventId} differs from the committed one in newStatus`);
    expect(t.smtp.received).toHaveLength(1);
  });

  it('made-up events touch no analytics, no statistics and no refunds', async () => {
    const analyticsBefore = await analyticsNow();
    const made = {
      ...real,
      eventId: randomUUID(),
      type: 'order.cancelled',
      previousStatus: 'Placed',
      newStatus: 'Cancelled',
    };
    const review = {
      ...real,
      eventId: randomUUID(),
      type: 'return.reviewed',
      previousStatus: null,
      newStatus: null,
      returnId: 'RET-2026-000001',
    };

    const jobs = [
      await forge(t.queues.analytics, 'order.cancelled', made),
      await forge(t.queues['customer-stats'], 'order.cancelled', made),
      await forge(t.queues['customer-stats'], 'customer.sync', { customerId: real.customerId, eventId: randomUUID() }),
      await forge(t.queues.refunds, 'return.reviewed', review),
    ];

    await drained(t.queues['customer-stats']);
    for (const job of jobs)
      expect({ name: job.name, state: await job.getState() }).toEqual({ name: job.name, state: 'failed' });
    expect(await analyticsNow()).toEqual(analyticsBefore);
    expect(t.customers.calls).toHaveLength(1);
  });

  it('a sync for one customer asked for by another customer’s event is refused', async () => {
    const job = await forge(t.queues['customer-stats'], 'customer.sync', {
      customerId: 'c-bob',
      eventId: real.eventId,
    });

    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toBe('no committed event of customer c-bob asked for this sync');
    expect(t.customers.calls).toHaveLength(1);
  });

  it('the real event added again under another job id is accepted, and sends nothing twice', async () => {
    const job = await forge(t.queues.emails, 'order.created', real);

    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toMatchObject({ skipped: 'already sent' });
    expect(t.smtp.received).toHaveLength(1);
  });
});
