import { Counter, Histogram, type Registry } from 'prom-client';
import { skipReasonsOf, type SkipReason } from './job-skipped';
import type { WorkQueueName } from '../shared/names';

/**
 * How one run of a job ended: done; failed with attempts left (BullMQ runs it again after
 * its backoff); failed for good (dead-lettered); or put back to wait by the processor
 * without spending an attempt (an email whose claim another run holds).
 */
export type RunOutcome = 'completed' | 'retried' | 'failed' | 'delayed';

/** What a queue worker reports about the jobs it runs; labels are the queue and the outcome only. */
export interface JobMetrics {
  /** Starts timing one run of a job of `queue`; call what it returns with how the run ended. */
  startRun(queue: string): (outcome: RunOutcome) => void;
  /** BullMQ marked a job of `queue` completed. */
  completed(queue: string): void;
  /** BullMQ marked a job of `queue` failed: for good (`final`), or an attempt that will be retried. */
  failed(queue: string, final: boolean): void;
  /** This process copied a job of `queue` to the dead-letter queue. */
  deadLettered(queue: string): void;
  /** A job of `queue` had nothing left to do (`reason`) and was completed as skipped. */
  skipped(queue: string, reason: SkipReason): void;
}

/** For workers started without metrics (tests, scripts). */
export const unobservedJobs: JobMetrics = {
  startRun: () => () => undefined,
  completed: () => undefined,
  failed: () => undefined,
  deadLettered: () => undefined,
  skipped: () => undefined,
};

/**
 * The job metrics of one worker process in `registry`. Every series of `queues` starts at
 * zero, so a rate or a ratio over them exists before the first failure, not only after it.
 */
export function registerJobMetrics(registry: Registry, queues: readonly WorkQueueName[]): JobMetrics {
  const registers = [registry];
  const duration = new Histogram({
    name: 'orms_job_duration_seconds',
    help: 'How long one run of a job took in this process, by queue and how the run ended (completed, retried, failed, delayed)',
    labelNames: ['queue', 'outcome'] as const,
    // From an analytics rollup (milliseconds) to an email over a slow SMTP server (seconds).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const byQueue = { labelNames: ['queue'] as const, registers };
  const completed = new Counter({ name: 'orms_jobs_completed_total', help: 'Jobs this process completed', ...byQueue });
  const failed = new Counter({
    name: 'orms_jobs_failed_total',
    help: 'Jobs that failed for good in this process (no attempts left, or an unrecoverable error)',
    ...byQueue,
  });
  const retried = new Counter({
    name: 'orms_jobs_retried_total',
    help: 'Failed attempts in this process that BullMQ will retry',
    ...byQueue,
  });
  const deadLetters = new Counter({
    name: 'orms_dead_letters_total',
    help: 'Jobs this process copied to the dead-letter queue',
    ...byQueue,
  });
  const skipped = new Counter({
    name: 'orms_jobs_skipped_total',
    help: 'Jobs this process completed without doing their work because what they were for was deleted since (reason: order-deleted, subscription-deleted); also counted as completed',
    labelNames: ['queue', 'reason'] as const,
    registers,
  });
  for (const queue of queues) {
    for (const counter of [completed, failed, retried, deadLetters]) counter.inc({ queue }, 0);
    for (const reason of skipReasonsOf(queue)) skipped.inc({ queue, reason }, 0);
    for (const outcome of ['completed', 'retried', 'failed', 'delayed'] as const) duration.zero({ queue, outcome });
  }
  return {
    startRun(queue) {
      const end = duration.startTimer({ queue });
      return (outcome) => void end({ outcome });
    },
    completed: (queue) => completed.inc({ queue }),
    failed: (queue, final) => (final ? failed : retried).inc({ queue }),
    deadLettered: (queue) => deadLetters.inc({ queue }),
    skipped: (queue, reason) => skipped.inc({ queue, reason }),
  };
}
