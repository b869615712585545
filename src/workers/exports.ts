import type { Job } from 'bullmq';
import { exportJobSchema } from '../queues/payloads';
import { failExport, runExport } from '../services/exports/order-exports';
import { payloadOf, withRecordedFailure } from './job-input';
import type { ServiceDeps } from '../services/deps';

/**
 * exports: one export of orders to a file, progress as `{ done, total }`. Its record says
 * `failed` once the job fails for good (dead-lettered like any job; a replay starts over), and
 * which job ran it last, so the reconciliation finds a job it lost (services/work-recovery.ts).
 */
export function exportsProcessor(deps: { services: Pick<ServiceDeps, 'settings'> }) {
  return async (job: Job): Promise<{ rowCount: number }> => {
    const { exportId } = payloadOf(job, exportJobSchema);
    const done = await withRecordedFailure(
      job,
      () =>
        runExport(
          exportId,
          (rows, total) => job.updateProgress({ done: rows, total }),
          deps.services.settings,
          String(job.id),
        ),
      (reason) => failExport(exportId, reason),
    );
    return { rowCount: done.rowCount ?? 0 };
  };
}
