import type { ExportJob } from './payloads';
import type { Queues } from './queues';

export const ORDER_EXPORT_JOB = 'orders.export';

/** Queues a recorded export under its own id (asked twice, it runs once). */
export async function queueExport(queues: Queues, exportId: string): Promise<void> {
  const data: ExportJob = { exportId };
  await queues.exports.add(ORDER_EXPORT_JOB, data, { jobId: exportId });
}
