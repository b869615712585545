import type { Queue } from 'bullmq';
import request from 'supertest';
import { Order, OrderEvent, WebhookDelivery } from '../src/models';
import type { OrderEventDoc } from '../src/models/order-event';
import { lateJobsGraceMs } from '../src/queues/queues';
import { drained, settled } from './helpers/pipeline';
import { freePort } from './helpers/redis-server';
import { scrapeMetrics, skipReasonOf, type Reading } from './helpers/scrape-metrics';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver';
import { peersEnv, startWorkerProcess } from './helpers/worker-process';
import { EFFECTS, EVENT_EFFECTS, type Effect } from '../src/shared/names';

/**
 * Jobs whose order (or webhook subscription) was deleted after they were queued are
 * completed as skipped and counted, never dead-lettered (issue 23). Every queue is worked by
 * one real worker process, as `node dist/workers/main.js` runs them, with its metrics served;
 * the API runs here. The tests run in order and share the process's counters.
 */
const TOKEN = 'no-false-dead-letters-token-0123456789';
const t = useTestApp({ smtp: true, customers: true });
let receiver: WebhookReceiver;
let metricsUrl: string;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t.onClose(() => receiver.close());
  const port = await freePort();
  const workers = await startWorkerProcess({ ...peersEnv(t), WORKER_METRICS_PORT: String(port), METRICS_TOKEN: TOKEN });
  t.onClose(() => workers.kill());
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
}, 30_000);
beforeEach(() => receiver.answerOtherwise({ status: 200 }));

const admin = () => as('admin');
const scrape = (): Promise<Reading> => scrapeMetrics(metricsUrl, TOKEN);
const skips = (m: Reading, queue: string, reason: string): number =>
  m('orms_jobs_skipped_total', { queue, reason }) ?? NaN;
const deleteOrder = async (orderId: string) =>
  expect((await request(t.app).delete(`/api/orders/${orderId}`).set(admin())).status).toBe(200);
const effectQueues = (): Queue[] => EFFECTS.map((q) => t.queues[q]);
/** Every effect queue idle: nothing waiting, delayed (a retry, a debounced sync), running or paused. */
const allDrained = async (timeoutMs = 20_000) => {
  for (const q of effectQueues()) await drained(q, timeoutMs);
};
const deadLetters = async () =>
  (await t.queues['dead-letter'].getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).map(
    (j) => `${j.data.queue}: ${j.data.failedReason}`,
  );
const failedJobs = async () =>
  (await Promise.all(effectQueues().map((q) => q.getJobs(['failed']))))
    .flat()
    .map((j) => `${j.queueName} ${j.name}: ${j.failedReason}`);
const eventsOf = (orderIds: string[]) => OrderEvent.find({ orderId: { $in: orderIds } }).lean<OrderEventDoc[]>();

/** Per effect queue, the jobs of these events that were skipped because their order was deleted. */
async function skippedJobsOf(events: OrderEventDoc[]): Promise<Record<Effect, number>> {
  const counts: Record<Effect, number> = { emails: 0, 'customer-stats': 0, analytics: 0, refunds: 0, webhooks: 0 };
  for (const e of events) {
    const effects = Object.entries(EVENT_EFFECTS).find(([type]) => type === e.type)?.[1] ?? [];
    expect(effects.length).toBeGreaterThan(0);
    for (const q of effects) {
      const job = await t.queues[q].getJob(e._id);
      expect({ queue: q, event: e._id, state: await job?.getState() }).toEqual({
        queue: q,
        event: e._id,
        state: 'completed',
      });
      if (skipReasonOf(job) === 'order-deleted') counts[q]++;
    }
  }
  return counts;
}

describe('jobs of what was deleted after they were queued', () => {
  it('the events of orders deleted right after they were placed leave no dead letter: their jobs are skipped and counted, on every queue', async () => {
    await t.as('admin').subscribe(receiver.url);
    const before = await scrape();
    // Its jobs then surely run after the deletions; those of the other queues race them.
    await t.queues.analytics.pause();
    const orderIds: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const orderId = await t.as('alice').placeOrder();
        await deleteOrder(orderId);
        orderIds.push(orderId);
      }
    } finally {
      await t.queues.analytics.resume();
    }
    await allDrained();

    expect(await deadLetters()).toEqual([]);
    expect(await failedJobs()).toEqual([]);
    const events = await eventsOf(orderIds);
    expect(events).toHaveLength(3);
    for (const e of events)
      expect({ event: e._id, orderDeleted: e.orderDeleted, settled: e.settled, sequenced: e.sequenced }).toEqual({
        event: e._id,
        orderDeleted: true,
        settled: true,
        sequenced: true,
      });
    const skipped = await skippedJobsOf(events);
    expect(skipped.analytics).toBe(3);
    const after = await scrape();
    for (const q of EFFECTS)
      expect({ queue: q, skipped: skips(after, q, 'order-deleted') - skips(before, q, 'order-deleted') }).toEqual({
        queue: q,
        skipped: skipped[q],
      });
    expect(after('orms_dead_letters_total', { queue: 'analytics' })).toBe(0);
  }, 40_000);

  it('an event job that misses its order while the deletion is under way (events not yet marked) is skipped, and marks the events', async () => {
    const before = await scrape();
    // Every effect queue held, so each job runs only once the order is gone.
    for (const q of effectQueues()) await q.pause();
    let orderId = '';
    try {
      orderId = await t.as('bob').placeOrder();
      // What a deletion has done when it dies right after removing the order, before its events.
      expect((await Order.deleteOne({ orderId })).deletedCount).toBe(1);
      expect((await eventsOf([orderId]))[0].orderDeleted).toBe(false);
    } finally {
      for (const q of effectQueues()) await q.resume();
    }
    await allDrained();

    expect(await deadLetters()).toEqual([]);
    expect(await failedJobs()).toEqual([]);
    const [event] = await eventsOf([orderId]);
    expect(event).toMatchObject({ orderDeleted: true, settled: true, sequenced: true });
    const skipped = await skippedJobsOf([event]);
    // The two that read the order miss it; the others may run before or after the events are marked.
    expect(skipped).toMatchObject({ emails: 1, analytics: 1 });
    const after = await scrape();
    for (const q of EFFECTS)
      expect({ queue: q, skipped: skips(after, q, 'order-deleted') - skips(before, q, 'order-deleted') }).toEqual({
        queue: q,
        skipped: skipped[q],
      });
  }, 40_000);

  it('a delivery retrying when its subscription is deleted is skipped and counted, not dead-lettered', async () => {
    const before = await scrape();
    // Retried, not before 2 s: time to delete the subscription between two attempts.
    receiver.answerOtherwise({ status: 500, headers: { 'Retry-After': '2' } });
    const { webhookId } = await t.as('admin').subscribe(receiver.url);
    const ping = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(admin());
    expect(ping.status).toBe(202);
    const { deliveryId } = ping.body.data as { deliveryId: string };
    await eventually(
      async () => {
        const res = await request(t.app).get(`/api/orders/webhooks/${webhookId}/deliveries?status=failed`).set(admin());
        return res.body.data.deliveries.some(
          (d: { deliveryId: string; nextAttemptAt: string | null }) => d.deliveryId === deliveryId && d.nextAttemptAt,
        );
      },
      10_000,
      'the first attempt to fail with a retry to come',
    );

    expect((await request(t.app).delete(`/api/orders/webhooks/${webhookId}`).set(admin())).status).toBe(200);
    await drained(t.queues.webhooks, 15_000);

    const job = await settled(t.queues.webhooks, deliveryId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ skipped: 'subscription-deleted' });
    expect(receiver.received.filter((r) => r.headers['orms-delivery-id'] === deliveryId)).toHaveLength(1);
    expect(await deadLetters()).toEqual([]);
    expect(await WebhookDelivery.findById(deliveryId).lean()).toMatchObject({
      webhookDeleted: true,
      nextAttemptAt: null,
    });
    const after = await scrape();
    expect(skips(after, 'webhooks', 'subscription-deleted') - skips(before, 'webhooks', 'subscription-deleted')).toBe(
      1,
    );
    expect(after('orms_dead_letters_total', { queue: 'webhooks' })).toBe(0);
  }, 40_000);

  it('the maintenance removes the events of deleted orders and the deliveries of deleted subscriptions once no job of them can be left, and keeps the younger ones', async () => {
    const [old, young, kept] = [
      await t.as('alice').placeOrder(),
      await t.as('alice').placeOrder(),
      await t.as('alice').placeOrder(),
    ];
    await deleteOrder(old);
    await deleteOrder(young);
    const [oldHook, youngHook] = [
      await t.as('admin').subscribe(receiver.url),
      await t.as('admin').subscribe(receiver.url),
    ];
    const pings = [];
    for (const { webhookId } of [oldHook, youngHook])
      pings.push(
        (await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(admin())).body.data
          .deliveryId as string,
      );
    await allDrained();
    for (const { webhookId } of [oldHook, youngHook])
      expect((await request(t.app).delete(`/api/orders/webhooks/${webhookId}`).set(admin())).status).toBe(200);
    // As they will be once the grace has passed (an hour past it).
    const longAgo = new Date(Date.now() - lateJobsGraceMs() - 3_600_000);
    await OrderEvent.updateMany({ orderId: old }, { $set: { orderDeletedAt: longAgo } });
    await WebhookDelivery.updateMany({ webhookId: oldHook.webhookId }, { $set: { webhookDeletedAt: longAgo } });
    const oldEvents = (await eventsOf([old])).length;
    expect(oldEvents).toBe(1);

    const tick = await t.queues.upkeep.add('maintenance', {}, { jobId: `maintenance-${Date.now()}` });
    const done = await settled(t.queues.upkeep, String(tick.id));

    expect(await done.getState()).toBe('completed');
    expect(done.returnvalue).toMatchObject({
      deletedOrderEventsRemoved: oldEvents,
      deletedSubscriptionDeliveriesRemoved: 1,
    });
    expect(await eventsOf([old])).toEqual([]);
    expect((await eventsOf([young])).map((e) => e.orderDeleted)).toEqual([true]);
    expect((await eventsOf([kept])).map((e) => e.orderDeleted)).toEqual([false]);
    expect(await WebhookDelivery.exists({ _id: pings[0] })).toBeNull();
    expect(await WebhookDelivery.exists({ _id: pings[1] })).not.toBeNull();
  }, 40_000);
});
