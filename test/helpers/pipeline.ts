import type { Job, Queue } from 'bullmq';
import { eventually, type TestApp } from './test-app';
import { EFFECTS } from '../../src/shared/names';

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

/**
 * Waits until no effect job is waiting, running or delayed. Analytics jobs run one at a
 * time, so a backlog of thousands takes a while on a busy machine: the wait fails only when
 * the backlog stops shrinking for `stallMs`, and then says what is left where; every 15 s it
 * reports where it stands, prefixed with `label`, so a slow run can be read.
 */
export async function drainedWhileProgressing(
  app: Pick<TestApp, 'queues'>,
  stallMs: number,
  label: string,
): Promise<void> {
  let best = Infinity;
  let lastProgress = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const counts = await Promise.all(
      EFFECTS.map(
        async (q) => [q, await app.queues[q].getJobCounts('waiting', 'active', 'delayed', 'prioritized')] as const,
      ),
    );
    const left = counts.reduce((sum, [, c]) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
    if (left === 0) return;
    if (Date.now() - lastReport > 15_000) {
      process.stdout.write(`${label}: draining, ${left} jobs left ${JSON.stringify(Object.fromEntries(counts))}\n`);
      lastReport = Date.now();
    }
    if (left < best) {
      best = left;
      lastProgress = Date.now();
    }
    if (Date.now() - lastProgress > stallMs)
      throw new Error(`queues stopped draining: ${JSON.stringify(Object.fromEntries(counts))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
