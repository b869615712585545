import type { Job, Queue } from 'bullmq';
import { createCustomerServiceClient } from '../../src/clients/customer-service';
import { createMailer, type MailerOptions } from '../../src/clients/mailer';
import type { WorkQueueName } from '../../src/queues/names';
import { workerSettings, type WorkerSettings } from '../../src/workers/settings';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { eventually, type TestApp } from './test-app';

export interface PipelineOptions {
  smtp?: { host: string; port: number };
  mail?: Partial<MailerOptions>;
  customerServiceUrl?: string;
  settings?: Partial<WorkerSettings>;
}

/**
 * The real workers in this test process, on this file's queues, sending to the test's SMTP
 * server and Customer Service. Close them (before t.close()) with `close(1000)`.
 */
export async function startPipeline(t: TestApp, names: WorkQueueName[], opts: PipelineOptions = {}): Promise<RunningWorkers> {
  const mailer = createMailer({ ...(opts.smtp ? { host: opts.smtp.host, port: opts.smtp.port, secure: false } : {}), ...opts.mail });
  const workers = await startWorkers(names, {
    queues: t.queues,
    mailer,
    customerService: createCustomerServiceClient(opts.customerServiceUrl ?? 'http://127.0.0.1:9', 1000),
    settings: workerSettings({ lockDurationMs: 5000, stalledIntervalMs: 5000, ...opts.settings }),
  });
  return {
    ...workers,
    close: async (timeoutMs) => {
      await workers.close(timeoutMs);
      mailer.close();
    },
  };
}

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
