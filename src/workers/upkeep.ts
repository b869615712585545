import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { config } from '../config';
import type { ServiceDeps } from '../services/deps';
import { logger } from '../logger';
import { enqueueEvent } from '../queues/enqueue-event';
import type { OutboxRelay } from '../services/events/outbox-relay';
import { lateJobsGraceMs, type Queues } from '../queues/queues';
import type { Mailer } from '../clients/mailer';
import { checkOverdue } from '../services/attention/overdue';
import { reconcileEffects } from '../services/effects/reconcile-effects';
import { composeOverdueDigest } from '../services/notifications/compose-email';
import type { WorkerSettings } from './settings';
import { purgeEventsOfDeletedOrders } from '../services/events/deleted-order-events';
import { purgeFeedBefore } from '../services/events/event-feed';
import { sequenceEvents } from '../services/events/sequence-events';
import { purgeDeliveriesOfDeletedWebhooks } from '../services/webhooks/deleted-subscriptions';
import { overdueDeliveries } from '../services/webhooks/deliveries';
import { upkeepWebhookSecrets } from '../services/webhooks/secret-upkeep';
import { scheduleDelivery } from '../queues/webhook-jobs';
import { purgeExpiredIdempotencyRecords } from '../services/idempotency';
import { purgeExpired } from '../services/retention/retention';
import { sweepNextOrphanItems } from '../services/orphan-items';
import { reconcileReturnRequests } from '../services/returns/reconcile';
import { removeExpiredExports } from '../services/exports/order-exports';
import { recoverBulkOperations } from '../services/bulk/recover-bulk';
import { recoverExports } from '../services/exports/recover-exports';
import { bulkJobs } from '../queues/bulk-jobs';
import { exportJobs } from '../queues/export-jobs';

/**
 * The periodic work of the fleet (DESIGN.md 13), as BullMQ job schedulers on the `upkeep`
 * queue: each tick is one job, run once by whichever worker process takes it, retried like
 * any job, and run again by another process if the one running it dies.
 */
const SCHEDULE = {
  // Often: crash leftovers that users wait for (events still in an outbox, return steps
  // half done).
  'outbox-recovery': () => ({ every: config.OUTBOX_SWEEP_INTERVAL_MS }),
  // Effects whose jobs Redis lost (a restart without its data, a failover), and bulk changes
  // and exports whose job is gone.
  'reconcile-effects': () => ({ every: config.RECONCILE_INTERVAL_MS }),
  // Often: events wait for their place in the feed (GET /api/orders/events) until it runs.
  'sequence-events': () => ({ every: config.EVENT_FEED_SEQUENCE_INTERVAL_MS }),
  // Overdue orders and returns: counted for the gauge, and a digest once a day (UTC cron).
  'attention-check': () => ({ pattern: config.ATTENTION_CHECK_CRON, tz: 'UTC' }),
  // Rarely: data hours or minutes old, and full scans on FerretDB.
  maintenance: () => ({ every: config.MAINTENANCE_INTERVAL_MS }),
} as const;
export type UpkeepTask = keyof typeof SCHEDULE;
const isUpkeepTask = (name: string): name is UpkeepTask => Object.hasOwn(SCHEDULE, name);

/** Creates or updates every scheduler; any worker process may call it, any number of times. */
export async function scheduleUpkeep(queue: Queue): Promise<void> {
  for (const [task, repeat] of Object.entries(SCHEDULE)) {
    await queue.upsertJobScheduler(task, repeat(), {
      name: task,
      data: {},
      opts: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
    });
  }
}

export interface UpkeepDeps {
  outbox: OutboxRelay;
  queues: Queues;
  /** The daily digest of overdue work goes out through it. */
  mailer: Mailer;
  settings: Pick<WorkerSettings, 'messageIdDomain'>;
  /** What the use cases read of the configuration. */
  services: Pick<ServiceDeps, 'settings'>;
}

const reconcileWindow = (now = Date.now()) => ({
  from: new Date(now - config.RECONCILE_WINDOW_HOURS * 3600_000),
  to: new Date(now - config.RECONCILE_AFTER_MS),
});

export function upkeepProcessor(deps: UpkeepDeps) {
  let sequencing: Promise<number> | null = null;
  const tasks: Record<UpkeepTask, () => Promise<Record<string, number>>> = {
    'outbox-recovery': async () => ({
      relayed: await deps.outbox.sweep(config.OUTBOX_SWEEP_AGE_MS),
      settledReturns: await reconcileReturnRequests(),
    }),
    'reconcile-effects': async () => {
      const window = reconcileWindow();
      const outcome = await reconcileEffects(window, (event, missing) => enqueueEvent(deps.queues, event, missing));
      const overdue = await overdueDeliveries(window.to);
      for (const id of overdue) await scheduleDelivery(deps.queues, id, 'first');
      // Bulk changes and exports whose job is gone: queued again under their id, or failed with the reason.
      const bulk = await recoverBulkOperations(window, bulkJobs(deps.queues));
      const exports = await recoverExports(window, exportJobs(deps.queues));
      return {
        ...outcome,
        overdueDeliveries: overdue.length,
        bulkRequeued: bulk.requeued,
        bulkFailed: bulk.failed,
        exportsRequeued: exports.requeued,
        exportsFailed: exports.failed,
      };
    },
    'sequence-events': async () => {
      // A tick that comes while this process is still sequencing would add only contention.
      if (sequencing) return { eventsSequenced: 0 };
      sequencing = sequenceEvents().finally(() => (sequencing = null));
      return { eventsSequenced: await sequencing };
    },
    'attention-check': async () => {
      const { orders, returns, digestSent } = await checkOverdue(async (digest, day) => {
        const mail = composeOverdueDigest(digest, config.FULFILMENT_SLA_HOURS, config.RETURN_REVIEW_SLA_HOURS);
        await deps.mailer.send({
          to: config.OPS_EMAIL,
          messageId: `<overdue-digest-${day}@${deps.settings.messageIdDomain}>`,
          ...mail,
        });
      }, deps.services.settings);
      return { overdueOrders: orders, overdueReturns: returns, digestsSent: digestSent ? 1 : 0 };
    },
    maintenance: async () => {
      // Kept only for jobs that might still come (deleted-order-events.ts, deleted-subscriptions.ts).
      const noJobLeft = new Date(Date.now() - lateJobsGraceMs());
      return {
        idempotencyRecordsPurged: await purgeExpiredIdempotencyRecords(),
        orphanItemsRemoved: await sweepNextOrphanItems(),
        feedEventsExpired: await purgeFeedBefore(new Date(Date.now() - config.EVENT_FEED_RETENTION_DAYS * 86_400_000)),
        exportsExpired: await removeExpiredExports(deps.services.settings),
        deletedOrderEventsRemoved: await purgeEventsOfDeletedOrders(noJobLeft),
        deletedSubscriptionDeliveriesRemoved: await purgeDeliveriesOfDeletedWebhooks(noJobLeft),
        ...(await upkeepWebhookSecrets(deps.services.settings).then((r) => ({
          webhookSecretsResealed: r.resealed,
          previousWebhookSecretsRemoved: r.previousRemoved,
          webhookSecretsUnreadable: r.unreadable,
        }))),
        // Logs and marks of finished work past their window (docs/operations.md).
        ...(await purgeExpired({ now: Date.now(), lateJobsMs: lateJobsGraceMs() }, config)),
      };
    },
  };
  return async (job: Job): Promise<Record<string, number>> => {
    const task = job.name;
    if (!isUpkeepTask(task)) throw new UnrecoverableError(`no upkeep task ${task}`);
    if (config.TEST_UPKEEP_TICK_DELAY_MS) await new Promise((r) => setTimeout(r, config.TEST_UPKEEP_TICK_DELAY_MS));
    const started = Date.now();
    const outcome = await tasks[task]();
    if (Object.values(outcome).some((n) => n > 0))
      logger.info({ task, ...outcome, ms: Date.now() - started }, 'upkeep did work');
    return outcome;
  };
}
