import { OrderExport } from '../../models';
import type { OrderExportDoc } from '../../models/order-export';
import type { ReconcileWindow } from '../effects/reconcile-effects';
import { recoverWork, type RecoveryOutcome, type WorkJobs } from '../work-recovery';
import { workStoreOf } from '../work-store';

/**
 * Exports whose job is gone are queued again under their id, or failed with the reason. An
 * expired one is left to the maintenance, which removes it: nobody can download it any more.
 */
export function recoverExports(window: ReconcileWindow, jobs: WorkJobs<OrderExportDoc>): Promise<RecoveryOutcome> {
  const now = new Date();
  return recoverWork(
    window,
    workStoreOf<OrderExportDoc>(OrderExport, (e) => e.expiresAt > now),
    jobs,
  );
}
