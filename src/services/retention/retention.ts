import {
  AnalyticsAppliedEvent,
  AttentionCheck,
  BulkOperation,
  EmailDelivery,
  WebhookDelivery,
  WebhookMark,
} from '../../models';
import { DEFAULT_LIMITS, purgeInBatches, type BatchLimits } from './purge-batches';
import type { RetentionWindows } from '../settings';

const DAY_MS = 86_400_000;

export interface RetentionClock {
  now: number;
  /**
   * How long a job of a record may still come (retries, the reconciliation): a record such a
   * job would look up is kept at least this long whatever its window says, since a job that
   * misses it is refused as made up, or counts its event again.
   */
  lateJobsMs: number;
}

/**
 * Removes, in small batches, the logs and marks of finished work past their window
 * (docs/operations.md lists each family, its window and why). Only rows in a final state go:
 * a delivery still retrying, an email still being sent, a bulk change still running stay,
 * whatever their age. Orders, items, history, returns and refunds are business records and
 * are not touched here. Returns how many rows of each family it removed.
 */
export async function purgeExpired(
  clock: RetentionClock,
  windows: RetentionWindows,
  limits: BatchLimits = DEFAULT_LIMITS,
): Promise<Record<string, number>> {
  const before = (days: number) => new Date(clock.now - days * DAY_MS);
  const beforeLateJobs = (days: number) => new Date(clock.now - Math.max(days * DAY_MS, clock.lateJobsMs));
  const purge = (model: Parameters<typeof purgeInBatches>[0], filter: Record<string, unknown>) =>
    purgeInBatches(model, filter, limits);
  const deliveries = beforeLateJobs(windows.WEBHOOK_DELIVERY_RETENTION_DAYS);
  const emails = beforeLateJobs(windows.EMAIL_DELIVERY_RETENTION_DAYS);
  const bulk = before(windows.BULK_RETENTION_DAYS);
  // One state per lookup: equality on a scalar is what FerretDB hands to PostgreSQL's index.
  return {
    webhookDeliveriesExpired:
      (await purge(WebhookDelivery, { status: 'delivered', createdAt: { $lt: deliveries } })) +
      (await purge(WebhookDelivery, { status: 'dead', createdAt: { $lt: deliveries } })),
    webhookMarksExpired: await purge(WebhookMark, { at: { $lt: beforeLateJobs(windows.WEBHOOK_MARK_RETENTION_DAYS) } }),
    bulkOperationsExpired:
      (await purge(BulkOperation, { state: 'completed', createdAt: { $lt: bulk } })) +
      (await purge(BulkOperation, { state: 'failed', createdAt: { $lt: bulk } })),
    // `failed`: the SMTP server refused it; past the late-jobs floor no run will try it again.
    emailDeliveriesExpired:
      (await purge(EmailDelivery, { state: 'sent', updatedAt: { $lt: emails } })) +
      (await purge(EmailDelivery, { state: 'failed', updatedAt: { $lt: emails } })),
    analyticsMarksExpired: await purge(AnalyticsAppliedEvent, {
      appliedAt: { $lt: beforeLateJobs(windows.ANALYTICS_MARK_RETENTION_DAYS) },
    }),
    // The day claims of the digest; `latest` (what the gauge reads) is kept.
    attentionChecksExpired: await purge(AttentionCheck, {
      _id: { $ne: 'latest' },
      at: { $lt: before(windows.ATTENTION_CHECK_RETENTION_DAYS) },
    }),
  };
}
