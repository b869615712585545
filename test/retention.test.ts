import { config } from '../src/config';
import {
  AnalyticsAppliedEvent,
  AttentionCheck,
  BulkOperation,
  EmailDelivery,
  WebhookDelivery,
  WebhookMark,
} from '../src/models';
import { driverCollection } from '../src/models/driver-collection';
import { purgeExpired, type RetentionClock } from '../src/services/retention/retention';
import { useTestApp } from './helpers/test-app';
import { QUEUE_NAMES } from '../src/shared/names';

const t = useTestApp();

const DAY = 86_400_000;
const now = Date.now();
/** A clock whose late-job floor (1 day) is below every default window (30 days). */
const clock: RetentionClock = { now, lateJobsMs: DAY };
const daysAgo = (days: number) => new Date(now - days * DAY);
/** A day past the family's window, and a day inside it. */
const past = (windowDays: number) => daysAgo(windowDays + 1);
const inside = (windowDays: number) => daysAgo(windowDays - 1);

/** A family's collection as stored, string ids and all: rows are arranged as the service would have left them. */
const rows = (model: { collection: object }) => driverCollection<{ _id: string; [field: string]: unknown }>(model);
const idsOf = async (model: { collection: object }, ids: string[]) =>
  (
    await rows(model)
      .find({ _id: { $in: ids } })
      .toArray()
  )
    .map((d) => d._id)
    .sort();

const delivery = (id: string, status: string, createdAt: Date) => ({
  _id: id,
  webhookId: 'wh_retention',
  eventId: `evt-${id}`,
  eventType: 'order.created',
  payload: { id: `evt-${id}`, type: 'order.created', data: { orderId: 'ORD-2026-000001' } },
  status,
  attempts: 1,
  nextAttemptAt: status === 'pending' || status === 'failed' ? createdAt : null,
  createdAt,
  webhookDeleted: false,
  webhookDeletedAt: null,
});

const email = (id: string, state: string, updatedAt: Date) => ({
  _id: id,
  eventType: 'order.created',
  orderId: 'ORD-2026-000001',
  template: 'order-confirmation',
  state,
  holder: 'emails/1/x',
  lockedUntil: updatedAt,
  attempts: 1,
  messageId: `<${id}@orms.test>`,
  createdAt: updatedAt,
  updatedAt,
});

const bulk = (id: string, state: string, createdAt: Date) => ({
  _id: id,
  status: 'Processing',
  orderIds: ['ORD-2026-000001'],
  state,
  results: [],
  createdBy: 'admin',
  createdAt,
});

describe('retention: the logs and marks of finished work are removed past their window, and only those', () => {
  afterEach(async () => {
    await Promise.all(
      [WebhookDelivery, WebhookMark, BulkOperation, EmailDelivery, AnalyticsAppliedEvent, AttentionCheck].map((m) =>
        rows(m).deleteMany({}),
      ),
    );
  });

  it(`removes delivered and dead webhook deliveries (payloads with them) past WEBHOOK_DELIVERY_RETENTION_DAYS; keeps those inside it, and any still pending or retrying however old`, async () => {
    const w = config.WEBHOOK_DELIVERY_RETENTION_DAYS;
    await rows(WebhookDelivery).insertMany([
      delivery('dlv_old_delivered', 'delivered', past(w)),
      delivery('dlv_old_dead', 'dead', past(w)),
      delivery('dlv_old_pending', 'pending', past(w)),
      delivery('dlv_old_failed', 'failed', past(w)),
      delivery('dlv_new_delivered', 'delivered', inside(w)),
      delivery('dlv_new_dead', 'dead', inside(w)),
    ]);

    const outcome = await purgeExpired(clock, config);

    expect(outcome.webhookDeliveriesExpired).toBe(2);
    expect(
      await idsOf(WebhookDelivery, [
        'dlv_old_delivered',
        'dlv_old_dead',
        'dlv_old_pending',
        'dlv_old_failed',
        'dlv_new_delivered',
        'dlv_new_dead',
      ]),
    ).toEqual(['dlv_new_dead', 'dlv_new_delivered', 'dlv_old_failed', 'dlv_old_pending']);
  });

  it('removes webhook marks (fan-out, redelivery, disable notice) past WEBHOOK_MARK_RETENTION_DAYS and keeps those inside it', async () => {
    const w = config.WEBHOOK_MARK_RETENTION_DAYS;
    await rows(WebhookMark).insertMany([
      { _id: 'fanout:evt-old', at: past(w) },
      { _id: 'disabled:wh_old:1', at: past(w) },
      { _id: 'fanout:evt-new', at: inside(w) },
    ]);

    const outcome = await purgeExpired(clock, config);

    expect(outcome.webhookMarksExpired).toBe(2);
    expect(await idsOf(WebhookMark, ['fanout:evt-old', 'disabled:wh_old:1', 'fanout:evt-new'])).toEqual([
      'fanout:evt-new',
    ]);
  });

  it('removes completed and failed bulk changes past BULK_RETENTION_DAYS; keeps those inside it and any still queued or running', async () => {
    const w = config.BULK_RETENTION_DAYS;
    await rows(BulkOperation).insertMany([
      bulk('blk_old_completed', 'completed', past(w)),
      bulk('blk_old_failed', 'failed', past(w)),
      bulk('blk_old_running', 'running', past(w)),
      bulk('blk_old_queued', 'queued', past(w)),
      bulk('blk_new_completed', 'completed', inside(w)),
    ]);

    const outcome = await purgeExpired(clock, config);

    expect(outcome.bulkOperationsExpired).toBe(2);
    expect(
      await idsOf(BulkOperation, [
        'blk_old_completed',
        'blk_old_failed',
        'blk_old_running',
        'blk_old_queued',
        'blk_new_completed',
      ]),
    ).toEqual(['blk_new_completed', 'blk_old_queued', 'blk_old_running']);
  });

  it('removes sent and refused email delivery records past EMAIL_DELIVERY_RETENTION_DAYS; keeps those inside it and one still being sent', async () => {
    const w = config.EMAIL_DELIVERY_RETENTION_DAYS;
    await rows(EmailDelivery).insertMany([
      email('evt-mail-old-sent', 'sent', past(w)),
      email('evt-mail-old-failed', 'failed', past(w)),
      email('evt-mail-old-sending', 'sending', past(w)),
      email('evt-mail-new-sent', 'sent', inside(w)),
    ]);

    const outcome = await purgeExpired(clock, config);

    expect(outcome.emailDeliveriesExpired).toBe(2);
    expect(
      await idsOf(EmailDelivery, [
        'evt-mail-old-sent',
        'evt-mail-old-failed',
        'evt-mail-old-sending',
        'evt-mail-new-sent',
      ]),
    ).toEqual(['evt-mail-new-sent', 'evt-mail-old-sending']);
  });

  it('removes analytics applied-event markers past ANALYTICS_MARK_RETENTION_DAYS and keeps those inside it', async () => {
    const w = config.ANALYTICS_MARK_RETENTION_DAYS;
    await rows(AnalyticsAppliedEvent).insertMany([
      { _id: 'evt-counted-old', day: '2026-01-01', appliedAt: past(w) },
      { _id: 'evt-counted-new', day: '2026-01-01', appliedAt: inside(w) },
    ]);

    const outcome = await purgeExpired(clock, config);

    expect(outcome.analyticsMarksExpired).toBe(1);
    expect(await idsOf(AnalyticsAppliedEvent, ['evt-counted-old', 'evt-counted-new'])).toEqual(['evt-counted-new']);
  });

  it("removes the overdue digest's day claims past ATTENTION_CHECK_RETENTION_DAYS; keeps those inside it and the latest check however old", async () => {
    const w = config.ATTENTION_CHECK_RETENTION_DAYS;
    await rows(AttentionCheck).insertMany([
      { _id: 'latest', orders: 1, returns: 0, at: past(w) },
      { _id: 'digest:old', orders: 1, returns: 0, at: past(w) },
      { _id: 'digest:new', orders: 1, returns: 0, at: inside(w) },
    ]);

    const outcome = await purgeExpired(clock, config);

    expect(outcome.attentionChecksExpired).toBe(1);
    expect(await idsOf(AttentionCheck, ['latest', 'digest:old', 'digest:new'])).toEqual(['digest:new', 'latest']);
  });

  it('keeps what a late job may still look up for as long as one can come, even past a shorter window', async () => {
    const w = config.WEBHOOK_DELIVERY_RETENTION_DAYS;
    await rows(WebhookDelivery).insertMany([delivery('dlv_late_job', 'delivered', past(w))]);
    await rows(EmailDelivery).insertMany([email('evt-mail-late-job', 'sent', past(w))]);
    await rows(AnalyticsAppliedEvent).insertMany([{ _id: 'evt-late-job', day: '2026-01-01', appliedAt: past(w) }]);
    await rows(WebhookMark).insertMany([{ _id: 'fanout:evt-late-job', at: past(w) }]);

    await purgeExpired({ now, lateJobsMs: (w + 10) * DAY }, config);

    expect(await idsOf(WebhookDelivery, ['dlv_late_job'])).toEqual(['dlv_late_job']);
    expect(await idsOf(EmailDelivery, ['evt-mail-late-job'])).toEqual(['evt-mail-late-job']);
    expect(await idsOf(AnalyticsAppliedEvent, ['evt-late-job'])).toEqual(['evt-late-job']);
    expect(await idsOf(WebhookMark, ['fanout:evt-late-job'])).toEqual(['fanout:evt-late-job']);
  });

  it('removes in small batches: a call stops after its lookups, and the next goes on where it stopped', async () => {
    const w = config.WEBHOOK_MARK_RETENTION_DAYS;
    const ids = Array.from({ length: 7 }, (_, i) => `fanout:evt-batch-${i}`);
    await rows(WebhookMark).insertMany(ids.map((_id) => ({ _id, at: past(w) })));

    const first = await purgeExpired(clock, config, { batch: 2, maxBatches: 2 });
    const second = await purgeExpired(clock, config, { batch: 2, maxBatches: 2 });
    const third = await purgeExpired(clock, config, { batch: 2, maxBatches: 2 });

    expect([first.webhookMarksExpired, second.webhookMarksExpired, third.webhookMarksExpired]).toEqual([4, 3, 0]);
    expect(await idsOf(WebhookMark, ids)).toEqual([]);
  });
});

describe('job event streams are trimmed', () => {
  it.each(QUEUE_NAMES)('%s keeps about QUEUE_EVENTS_MAX_LEN events', async (name) => {
    expect(await t.queues[name].getMeta()).toMatchObject({ maxLenEvents: config.QUEUE_EVENTS_MAX_LEN });
  });
});

describe('finished jobs are trimmed by age and count', () => {
  it.each(QUEUE_NAMES.filter((name) => name !== 'dead-letter'))(
    '%s trims completed and failed jobs by age and count (the failed copy waits in dead-letter)',
    (name) => {
      const opts = t.queues[name].defaultJobOptions;

      expect(opts.removeOnComplete).toEqual({
        age: config.JOB_KEEP_COMPLETED_SECONDS,
        count: config.JOB_KEEP_COMPLETED_COUNT,
      });
      expect(opts.removeOnFail).toEqual({ age: config.JOB_KEEP_FAILED_SECONDS, count: config.JOB_KEEP_FAILED_COUNT });
    },
  );
});
