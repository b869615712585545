import type { Job } from 'bullmq';
import { exportJobSchema } from '../queues/payloads';
import { failExport, runExport } from '../services/exports/order-exports';
import { asJobError, isUnrecoverable, payloadOf } from './job-input';

/**
 * exports: one export of orders to a file, progress as `{ done, total }`. Its record says
 * `failed` once the job fails for good (dead-lettered like any job; a replay starts over).
 */
export function exportsProcessor() {
  return async (job: Job): Promise<{ rowCount: number }> => {
    const { exportId } = payloadOf(job, exportJobSchema);
    try {
      const done = await runExport(exportId, (rows, total) => job.updateProgress({ done: rows, total }));
      return { rowCount: done.rowCount ?? 0 };
    } catch (raw) {
      const err = asJobError(raw);
      if (isUnrecoverable(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await failExport(exportId, err.message).catch(() => undefined);
      throw err;
    }
  };
}
