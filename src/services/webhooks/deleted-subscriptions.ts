import { WebhookDelivery } from '../../models';
import type { WebhookDeliveryDoc } from '../../models/webhook-delivery';

/*
 * The deliveries of a deleted subscription. They are not deleted with it: a delivery job
 * still on its way (queued, or waiting to retry) would then find no delivery, which is how
 * a made-up delivery id looks, and be dead-lettered for nothing. Marked, the log stays out
 * of sight (its subscription answers 404) while those jobs find their delivery and skip it
 * (workers/webhooks.ts); the maintenance removes it once no job of it can still wait.
 */

/**
 * Marks the deliveries of a deleted subscription; one marked before keeps its time. No next
 * attempt is due any more, so the reconciliation of overdue deliveries leaves them alone.
 */
export async function markDeliveriesOfDeletedWebhook(webhookId: string, at = new Date()): Promise<number> {
  // The equality on webhookId is what FerretDB hands to PostgreSQL's index; the rest is filtered after.
  const { modifiedCount } = await WebhookDelivery.updateMany(
    { webhookId, webhookDeleted: { $ne: true } },
    { $set: { webhookDeleted: true, webhookDeletedAt: at, nextAttemptAt: null } },
  );
  return modifiedCount;
}

/**
 * Removes the deliveries marked before `cutoff`, a subscription at a time, up to `batch`
 * looked up at once and `maxBatches` lookups a call. Returns how many it removed.
 */
export async function purgeDeliveriesOfDeletedWebhooks(cutoff: Date, batch = 500, maxBatches = 20): Promise<number> {
  let removed = 0;
  for (let n = 0; n < maxBatches; n++) {
    const due = await WebhookDelivery.find(
      { webhookDeleted: true, webhookDeletedAt: { $lt: cutoff } },
      { webhookId: 1 },
    )
      .limit(batch)
      .lean<Pick<WebhookDeliveryDoc, '_id' | 'webhookId'>[]>();
    for (const webhookId of new Set(due.map((d) => d.webhookId))) {
      removed += (
        await WebhookDelivery.deleteMany({ webhookId, webhookDeleted: true, webhookDeletedAt: { $lt: cutoff } })
      ).deletedCount;
    }
    if (due.length < batch) break;
  }
  return removed;
}
