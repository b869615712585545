import type { Principal } from '../services/principal';
import type { BulkJob } from './payloads';
import type { Queues } from './queues';

export const BULK_STATUS_JOB = 'bulk.status';

/** Queues a recorded bulk change under its own id (asked twice, it runs once). */
export async function queueBulkStatusChange(queues: Queues, bulkId: string, principal: Principal): Promise<void> {
  const data: BulkJob = { bulkId, principal: { userId: principal.userId, role: 'Administrator', ...(principal.name && { name: principal.name }) } };
  await queues.bulk.add(BULK_STATUS_JOB, data, { jobId: bulkId });
}
