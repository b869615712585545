import type { Queue } from 'bullmq';
import type { CustomerSyncJob } from './payloads';

export const CUSTOMER_SYNC_JOB = 'customer.sync';

/**
 * Asks for one statistics sync of a customer after `debounceMs` of quiet: each new event
 * replaces the delayed job and restarts the delay (BullMQ deduplication in debounce mode),
 * so a burst of orders becomes one call. While a sync is running, the last request waits
 * and runs after it (keepLastIfActive), so a change made during a sync is never missed and
 * two syncs of one customer never run at once (an older total can't overwrite a newer one).
 */
export async function requestCustomerSync(
  queue: Queue,
  customerId: string,
  eventId: string,
  debounceMs: number,
): Promise<void> {
  const data: CustomerSyncJob = { customerId, eventId };
  await queue.add(CUSTOMER_SYNC_JOB, data, {
    jobId: `sync-${eventId}`,
    delay: debounceMs,
    deduplication: { id: `customer-${customerId}`, replace: true, extend: true, keepLastIfActive: true },
  });
}
