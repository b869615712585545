import type { Job } from 'bullmq';
import { bulkJobSchema } from '../queues/payloads';
import { failBulkOperation, runBulkStatusChange } from '../services/bulk/bulk-status';
import type { ServiceDeps } from '../services/deps';
import { payloadOf, withRecordedFailure } from './job-input';

/**
 * bulk: one bulk status change, progress as `{ done, total }`. Its record says `failed`
 * once the job fails for good (it is dead-lettered like any job, and a replay resumes it), and
 * which job ran it last, so the reconciliation finds a job it lost (services/work-recovery.ts).
 */
export function bulkProcessor(deps: { services: ServiceDeps }) {
  return async (job: Job): Promise<{ updated: number; total: number }> => {
    const { bulkId, principal } = payloadOf(job, bulkJobSchema);
    const op = await withRecordedFailure(
      job,
      () =>
        runBulkStatusChange(
          deps.services,
          principal,
          bulkId,
          (done, total) => job.updateProgress({ done, total }),
          String(job.id),
        ),
      (reason) => failBulkOperation(bulkId, reason),
    );
    return { updated: op.results.filter((r) => r.outcome === 'updated').length, total: op.orderIds.length };
  };
}
