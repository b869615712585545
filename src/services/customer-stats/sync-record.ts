import { CustomerStatsSync } from '../../models';

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
