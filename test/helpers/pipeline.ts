import type { Job, Queue } from 'bullmq';
import { eventually } from './test-app';

/** Waits until the queue has nothing waiting, delayed or running. */
export async function drained(queue: Queue, timeoutMs = 10_000): Promise<void> {
  await eventually(
    async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
      return Object.values(c).every((n) => n === 0);
    },
    timeoutMs,
    `queue ${queue.name} to drain`,
  );
}

/** Waits for a job to reach a final state and returns it. */
export async function settled(queue: Queue, jobId: string, timeoutMs = 10_000): Promise<Job> {
  return eventually(
    async () => {
      const job = await queue.getJob(jobId);
      if (!job) return null;
      const state = await job.getState();
      // Read the job again: the copy above may predate the move to its final state.
      return state === 'completed' || state === 'failed' ? ((await queue.getJob(jobId)) ?? null) : null;
    },
    timeoutMs,
    `job ${jobId} of ${queue.name} to finish`,
  );
}
