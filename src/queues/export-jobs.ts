import type { OrderExportDoc } from '../models/order-export';
import type { WorkJobs } from '../services/work-recovery';
import type { ExportJob } from './payloads';
import type { Queues } from './queues';
import { clearDeadJob, jobPresence } from './work-jobs';

export const ORDER_EXPORT_JOB = 'orders.export';

/** Queues a recorded export under its own id (asked twice, it runs once). */
export async function queueExport(queues: Queues, exportId: string): Promise<void> {
  const data: ExportJob = { exportId };
  await queues.exports.add(ORDER_EXPORT_JOB, data, { jobId: exportId });
}

/** The `exports` queue as the recovery of lost jobs needs it (services/work-recovery.ts). */
export function exportJobs(queues: Queues): WorkJobs<OrderExportDoc> {
  return {
    presence: (jobId) => jobPresence(queues.exports, jobId),
    requeue: async (doc) => {
      await clearDeadJob(queues.exports, doc._id);
      await queueExport(queues, doc._id);
    },
  };
}
