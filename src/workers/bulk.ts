import type { Job } from 'bullmq';
import { bulkJobSchema } from '../queues/payloads';
import { failBulkOperation, runBulkStatusChange } from '../services/bulk/bulk-status';
import type { ServiceDeps } from '../services/deps';
import { asJobError, isUnrecoverable, payloadOf } from './job-input';

/**
 * bulk: one bulk status change, progress as `{ done, total }`. Its record says `failed`
 * once the job fails for good (it is dead-lettered like any job, and a replay resumes it).
 */
export function bulkProcessor(deps: { services: ServiceDeps }) {
  return async (job: Job): Promise<{ updated: number; total: number }> => {
    const { bulkId, principal } = payloadOf(job, bulkJobSchema);
    try {
      const op = await runBulkStatusChange(deps.services, principal, bulkId, (done, total) => job.updateProgress({ done, total }));
      return { updated: op.results.filter((r) => r.outcome === 'updated').length, total: op.orderIds.length };
    } catch (raw) {
      const err = asJobError(raw);
      if (isUnrecoverable(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await failBulkOperation(bulkId, err.message).catch(() => undefined);
      throw err;
    }
  };
}
