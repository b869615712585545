import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/**
 * `orms_queue_oldest_waiting_seconds{queue}`: how long ago the job next in line in each
 * queue was added (0 when none waits), read on each scrape. A queue that no process works,
 * or whose workers cannot keep up, shows here as an age that grows, which a count of
 * waiting jobs does not tell apart from a busy but healthy queue. The age counts from when
 * the job was added, so a job that is waiting again after failed attempts counts their time
 * too. Every worker process reports every work queue (the same values): take the max.
 */
export function registerBacklogGauge(registry: Registry, queues: readonly Queue[]): void {
  new Gauge({
    name: 'orms_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in each work queue, since it was added (0: none waits)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (q) => {
          // BullMQ takes jobs from the right end of the wait list: ascending index 0 is the oldest.
          const next = await q.getJobs(['waiting'], 0, 0, true).then(
            (jobs) => ({ addedAt: jobs.at(0)?.timestamp }),
            () => null, // Redis away: no value rather than a wrong one (orms_dependency_up says why)
          );
          if (next)
            this.set({ queue: q.name }, next.addedAt === undefined ? 0 : Math.max(0, Date.now() - next.addedAt) / 1000);
        }),
      );
    },
  });
}
