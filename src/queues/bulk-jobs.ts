import type { BulkOperationDoc } from '../models/bulk-operation';
import { requesterOf } from '../services/bulk/bulk-status';
import type { Principal } from '../services/principal';
import type { WorkJobs } from '../services/work-recovery';
import type { BulkJob } from './payloads';
import type { Queues } from './queues';
import { clearDeadJob, jobPresence } from './work-jobs';

export const BULK_STATUS_JOB = 'bulk.status';

/** Queues a recorded bulk change under its own id (asked twice, it runs once). */
export async function queueBulkStatusChange(queues: Queues, bulkId: string, principal: Principal): Promise<void> {
  const data: BulkJob = {
    bulkId,
    principal: { userId: principal.userId, role: 'Administrator', ...(principal.name && { name: principal.name }) },
  };
  await queues.bulk.add(BULK_STATUS_JOB, data, { jobId: bulkId });
}

/** The `bulk` queue as the recovery of lost jobs needs it (services/work-recovery.ts). */
export function bulkJobs(queues: Queues): WorkJobs<BulkOperationDoc> {
  return {
    presence: (jobId) => jobPresence(queues.bulk, jobId),
    requeue: async (op) => {
      await clearDeadJob(queues.bulk, op._id);
      await queueBulkStatusChange(queues, op._id, requesterOf(op));
    },
  };
}
