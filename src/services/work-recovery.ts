import type { ReconcileWindow } from './effects/reconcile-effects';

/**
 * Work that has a record of its own and is done by a job of the same id (a bulk change, an
 * export), recovered when the job is gone: Redis lost its data, the enqueue failed after the
 * record was written, or the job failed without its record being told (BullMQ failed it as
 * stalled after its worker died). Without this the record would say queued or running for good.
 */

/** Where a record's job is, as its queue knows it. */
export type JobPresence = { state: 'present' } | { state: 'failed'; reason: string } | { state: 'missing' };

/** The queue of one kind of work, as the recovery needs it (the caller's; services know no queue). */
export interface WorkJobs<R> {
  presence(jobId: string): Promise<JobPresence>;
  /**
   * Queues the record's job again under the record's id. A failed job of that id is removed
   * first: a queue ignores an id it still holds.
   */
  requeue(record: R): Promise<void>;
}

/** The fields the recovery reads; `jobId` and `requeues` are absent on records older than it. */
export interface WorkRecord {
  _id: string;
  createdAt: Date;
  jobId?: string | null;
  requeues?: number;
}

/** One kind of record, as the recovery reads and writes it. */
export interface WorkStore<R extends WorkRecord> {
  /** Records queued or running that were asked for before `before`. */
  waiting(before: Date): Promise<R[]>;
  /** The record, if it is still queued or running. */
  stillWaiting(id: string): Promise<R | null>;
  /** Records that it has been queued again `requeues` times in all; the job that runs next is the record's own. */
  countRequeues(id: string, requeues: number): Promise<void>;
  /** Marks it failed for good, with the reason its requester reads. */
  fail(id: string, reason: string): Promise<void>;
}

export interface RecoveryOutcome {
  checked: number;
  requeued: number;
  failed: number;
}

/** Requeues a record gets before a lost job fails it: a job lost again and again will not be run by another try. */
export const MAX_REQUEUES = 3;

/**
 * Looks at every record still queued or running that was asked for more than the window's
 * `to` ago: one whose job is in its queue (waiting, running, retrying, even done) is left to
 * it; one whose job is missing or failed is queued again under its id, or marked failed with
 * the reason when it was asked for before the window's `from` (a change not run that late)
 * or has been queued again MAX_REQUEUES times already.
 */
export async function recoverWork<R extends WorkRecord>(
  window: ReconcileWindow,
  store: WorkStore<R>,
  jobs: WorkJobs<R>,
): Promise<RecoveryOutcome> {
  const outcome: RecoveryOutcome = { checked: 0, requeued: 0, failed: 0 };
  for (const { _id } of await store.waiting(window.to)) {
    outcome.checked++;
    // Read again just before its job is looked at: a tick running alongside (ticks overlap
    // when one runs long) that sees the job missing has then read the count before any
    // requeue was counted, so both write the same count (idempotent, unlike an increment).
    const current = await store.stillWaiting(_id);
    if (!current) continue;
    const job = await jobs.presence(current.jobId ?? current._id);
    if (job.state === 'present') continue;
    const lost = job.state === 'failed' ? `its job failed: ${job.reason}` : 'its job was lost from the queue';
    const requeues = current.requeues ?? 0;
    const tooLate = current.createdAt < window.from;
    if (tooLate || requeues >= MAX_REQUEUES) {
      await store.fail(
        current._id,
        tooLate
          ? `${lost}; it was asked for too long ago to be run now (RECONCILE_WINDOW_HOURS)`
          : `${lost}, after ${requeues} times queued again`,
      );
      outcome.failed++;
      continue;
    }
    // Counted before the job is queued: its worker writes the record as soon as it starts, and
    // FerretDB v1 writes a whole document per update, so a count written alongside that run
    // could be overwritten by it (and a job queued but never counted could be queued for ever).
    await store.countRequeues(current._id, requeues + 1);
    await jobs.requeue(current);
    outcome.requeued++;
  }
  return outcome;
}
