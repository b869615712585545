import type { DeliveryJob } from './payloads';
import type { Queues } from './queues';

export const DELIVER_JOB = 'deliver';

/**
 * Queues one delivery. Its first job's id is the delivery's own (the fan-out may add it
 * again after a crash: nothing is added twice); each redelivery gets an id of its own.
 */
export async function scheduleDelivery(queues: Queues, deliveryId: string, attempt: string): Promise<void> {
  const data: DeliveryJob = { deliveryId };
  await queues.webhooks.add(DELIVER_JOB, data, {
    jobId: attempt === 'first' ? deliveryId : `${deliveryId}-${attempt}`,
  });
}
