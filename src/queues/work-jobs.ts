import type { Queue } from 'bullmq';
import type { JobPresence } from '../services/work-recovery';

/** Where a job is: any state but failed counts as present (waiting, delayed, running, done). */
export async function jobPresence(queue: Queue, jobId: string): Promise<JobPresence> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return { state: 'missing' };
  if (state !== 'failed') return { state: 'present' };
  const job = await queue.getJob(jobId);
  return { state: 'failed', reason: job?.failedReason || 'no reason recorded' };
}

/**
 * Removes what is left of a job under `jobId` that no list holds any more (failed, or a
 * hash a partial loss of Redis data orphaned): BullMQ silently ignores an add under an id
 * whose job still exists. A job waiting, delayed or running is left alone.
 */
export async function clearDeadJob(queue: Queue, jobId: string): Promise<void> {
  const state = await queue.getJobState(jobId);
  if (state === 'failed' || state === 'unknown') await queue.remove(jobId);
}
