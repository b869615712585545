/**
 * A process that closes a queue worker while its job still runs, with a budget shorter than
 * the job: the job is handed back to the queue, and fails after the worker's connection is
 * closed. Run as a child process by test/worker-close.test.ts, which sees whether the
 * process still exits by itself. Prints the job's state once the worker is closed, and
 * "late outcome came" once the job has failed.
 */
import { createRedis, closeRedis } from '../../src/infra/redis';
import { closeQueues, createQueues } from '../../src/queues/queues';
import { startQueueWorker } from '../../src/workers/queue-worker';
import { workerSettings } from '../../src/workers/settings';

async function main(): Promise<void> {
  const connection = createRedis('producer');
  const queues = createQueues(connection);
  let fail: (err: Error) => void = () => undefined;
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  const worker = startQueueWorker(
    'emails',
    () => {
      started();
      return new Promise((_, reject) => (fail = reject));
    },
    queues['dead-letter'],
    workerSettings(),
  );
  const job = await queues.emails.add('order.created', {});
  await running;

  await worker.close(200);
  console.log(`after close: ${await job.getState()}`);
  fail(new Error('the SMTP server went away'));
  await new Promise((r) => setTimeout(r, 300));
  console.log('late outcome came');
  await queues.emails.obliterate({ force: true });
  await closeQueues(queues);
  await closeRedis(connection);
}

void main();
