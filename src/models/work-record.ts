/**
 * The fields every record of queued work carries (bulk changes, exports): how it ended, and
 * what the recovery of lost jobs reads and writes (services/work-recovery.ts).
 */
export const workRecordFields = {
  finishedAt: { type: Date, default: null },
  error: { type: String, default: null },
  // The job that last started a run: its own id, or a dead letter's replay.
  jobId: { type: String, default: null },
  // Times the reconciliation queued it again after its job was lost or failed unrecorded.
  requeues: { type: Number, default: 0 },
} as const;

/** The same fields as read. */
export interface WorkRecordDoc {
  finishedAt: Date | null;
  error: string | null;
  jobId: string | null;
  requeues: number;
}
