import { hostname } from 'node:os';
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { RedisClient } from '../infra/redis';
import { config } from '../config';
import { once } from '../infra/once';
import { closeRedis, createRedis } from '../infra/redis';
import { logger } from '../logger';
import { addDeadLetter, deadLetterIdOf, deadLetterOf } from '../queues/dead-letter';
import { asJobError, failsForGood } from './job-input';
import { unobservedJobs, type JobMetrics } from './job-metrics';
import { JobSkipped } from './job-skipped';
import type { WorkerSettings } from './settings';
import type { WorkQueueName } from '../shared/names';
import { queuePrefix } from '../queues/prefix';
import type { Processor } from './processor';

export interface QueueWorker {
  readonly queue: WorkQueueName;
  readonly worker: Worker;
  /** Stops taking jobs and waits for the running ones up to `timeoutMs`, then releases them. */
  close(timeoutMs: number): Promise<void>;
}

export interface QueueWorkerOptions {
  /** Jobs at once in this process; the settings' by default. */
  concurrency?: number;
  /** Where runs, outcomes and dead letters are reported; nowhere by default. */
  metrics?: JobMetrics;
  /** Computes the delay of the queue's custom backoff type (webhooks). */
  backoffStrategy?: (attemptsMade: number, type?: string, err?: Error) => number;
}

/**
 * A BullMQ worker for one queue with the pipeline's failure handling: a job whose processor
 * says it has nothing left to do (JobSkipped) completes as skipped; errors are sorted
 * into retryable and unrecoverable, and a job that fails for good is copied to the
 * dead-letter queue before BullMQ marks it failed (so a crash in between loses nothing),
 * and again from the `failed` event (which also sees jobs failed for stalling too often);
 * the copy's id derives from the job's, so it is made once.
 */
export function startQueueWorker(
  queue: WorkQueueName,
  processor: Processor,
  deadLetters: Queue,
  settings: WorkerSettings,
  opts: QueueWorkerOptions = {},
): QueueWorker {
  const { concurrency = settings.concurrency, metrics = unobservedJobs, backoffStrategy } = opts;
  const connection: RedisClient = createRedis('worker');
  const running = new Map<string, { job: Job; token: string }>();
  // Jobs this process dead-lettered in `run`; their `failed` event need not do it again.
  const lettered = new Set<string>();
  const log = logger.child({ queue });
  // Ends every run still going when close() gives up waiting (see close).
  let handBack: () => void = () => undefined;
  const handedBack = new Promise<never>(
    (_, reject) => (handBack = () => reject(new DelayedError('handed back to the queue at shutdown'))),
  );
  handedBack.catch(() => undefined);

  const deadLetter = (job: Job, reason: string, attemptsMade: number): Promise<boolean> =>
    addDeadLetter(deadLetters, deadLetterOf(queue, job, reason, attemptsMade)).then(
      (id) => {
        metrics.deadLettered(queue);
        log.warn(
          { jobId: job.id, name: job.name, deadLetter: id, attemptsMade, reason },
          'job failed for good; dead-lettered',
        );
        return true;
      },
      (err: unknown) => {
        log.error({ err, jobId: job.id }, 'could not dead-letter a failed job');
        return false;
      },
    );

  const run = async (job: Job, token?: string): Promise<unknown> => {
    const key = String(job.id);
    // BullMQ's Worker always passes the run's lock token; its type only allows for other callers.
    if (!token) throw new UnrecoverableError(`job ${key} was run without a lock token`);
    running.set(key, { job, token });
    const endRun = metrics.startRun(queue);
    try {
      const result = await Promise.race([processor(job, token), handedBack]);
      endRun('completed');
      return result;
    } catch (raw) {
      // What the job was for was deleted since it was queued: done, with nothing to do.
      if (raw instanceof JobSkipped) {
        endRun('completed');
        metrics.skipped(queue, raw.reason);
        log.info({ jobId: job.id, name: job.name, reason: raw.reason, detail: raw.message }, 'job skipped');
        return { skipped: raw.reason };
      }
      // The processor put the job back to wait (job.moveToDelayed): not a failed attempt.
      if (raw instanceof DelayedError) {
        endRun('delayed');
        throw raw;
      }
      const err = asJobError(raw);
      const attemptsMade = job.attemptsMade + 1;
      const final = failsForGood(job, err, attemptsMade);
      endRun(final ? 'failed' : 'retried');
      if (final) {
        if (await deadLetter(job, err.message, attemptsMade)) lettered.add(key);
      } else log.info({ jobId: job.id, name: job.name, attemptsMade, err: err.message }, 'job failed; will retry');
      throw err;
    } finally {
      running.delete(key);
    }
  };

  const worker = new Worker(queue, run, {
    // Which process ran a job (job.processedBy, and the board's worker list).
    name: `${hostname()}:${process.pid}`,
    connection,
    prefix: queuePrefix(config.QUEUE_PREFIX, queue),
    concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    ...(backoffStrategy && { settings: { backoffStrategy } }),
  });
  // Outcomes are counted as BullMQ recorded them (attemptsMade includes this attempt now),
  // so a job failed for stalling too often, which fails without a run, counts too.
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (!job) return;
    const final = failsForGood(job, err, job.attemptsMade);
    metrics.failed(queue, final);
    if (lettered.delete(String(job.id))) return;
    if (final) void deadLetter(job, err.message, job.attemptsMade);
  });
  worker.on('completed', (job: Job) => {
    metrics.completed(queue);
    // A job that failed before (it has a stack trace) and now succeeded, e.g. retried from
    // the board, leaves an obsolete dead letter behind: remove it.
    if (!job.stacktrace?.length) return;
    // Only when there is one: BullMQ's remove answers 1 for a job that does not exist.
    const id = deadLetterIdOf(queue, String(job.id));
    deadLetters
      .getJob(id)
      .then((letter) => (letter ? letter.remove().then(() => true) : false))
      .then(
        (removed) =>
          removed &&
          log.info({ jobId: job.id }, 'a dead-lettered job succeeded on a later run; its dead letter is removed'),
        (err: unknown) => log.warn({ err, jobId: job.id }, 'could not remove an obsolete dead letter'),
      );
  });
  worker.on('error', (err: Error) => log.error({ err }, 'worker error'));
  worker.on('stalled', (jobId: string) => log.warn({ jobId }, 'job stalled (its worker died or hung); it runs again'));

  return {
    queue,
    worker,
    close: once(async (timeoutMs: number) => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        worker.close().then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        // Hand the unfinished jobs back to the queue now rather than after their locks
        // expire; whatever they did so far is idempotent, so a rerun is safe.
        for (const { job, token } of running.values()) {
          await job.moveToWait(token).then(
            () => log.warn({ jobId: job.id }, 'released an unfinished job at shutdown'),
            (err: unknown) =>
              log.warn({ err, jobId: job.id }, 'could not release a job at shutdown; it will stall and rerun'),
          );
        }
        // Their runs end now, as delayed: BullMQ leaves a job so moved alone, and its close,
        // which waits for every run, completes. Were a run left to end later, after the
        // connection below is closed, BullMQ would retry writing its outcome for as long as
        // the connection stays closed, without a pause while closing, adding a stack trace
        // to the job at each try: a loop of promises alone, growing, that starves the
        // process of timers so it never exits.
        handBack();
        await worker.close();
      }
      await closeRedis(connection);
    }),
  };
}
