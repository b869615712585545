import { BulkOperation } from '../../models';
import type { BulkOperationDoc } from '../../models/bulk-operation';
import type { ReconcileWindow } from '../effects/reconcile-effects';
import { recoverWork, type RecoveryOutcome, type WorkJobs } from '../work-recovery';
import { workStoreOf } from '../work-store';

/** Bulk changes whose job is gone are queued again under their id, or failed with the reason. */
export function recoverBulkOperations(
  window: ReconcileWindow,
  jobs: WorkJobs<BulkOperationDoc>,
): Promise<RecoveryOutcome> {
  return recoverWork(window, workStoreOf<BulkOperationDoc>(BulkOperation), jobs);
}
