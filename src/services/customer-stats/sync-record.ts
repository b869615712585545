import { CustomerStatsSync, OrderEvent } from '../../models';

/**
 * Notes that the Customer Service accepted a customer's totals as read at `calculatedAt`;
 * only ever forward ($max), so a slow older sync cannot make a newer one look missing.
 */
export async function recordCustomerSync(customerId: string, calculatedAt: Date): Promise<void> {
  await CustomerStatsSync.updateOne({ _id: customerId }, { $max: { calculatedAt } }, { upsert: true });
}

/** Whether the Customer Service has totals read at or after `since`. */
export async function customerSyncedSince(customerId: string, since: Date): Promise<boolean> {
  return (await CustomerStatsSync.exists({ _id: customerId, calculatedAt: { $gte: since } })) !== null;
}

/**
 * Whether totals read after this event was recorded have already been sent: a sync asked
 * for again (a reconciliation racing the sync that was on its way) then has nothing to add.
 */
export async function customerSyncedSinceEvent(customerId: string, eventId: string): Promise<boolean> {
  const event = await OrderEvent.findById(eventId, { recordedAt: 1 }).lean<{ recordedAt: Date }>();
  return event !== null && customerSyncedSince(customerId, event.recordedAt);
}
