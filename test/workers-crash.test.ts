import { EmailDelivery, OrderHistory } from '../src/models';
import { startQueueWorker } from '../src/workers/queue-worker';
import { workerSettings } from '../src/workers/settings';
import { settled } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const t = useTestApp({ smtp: true });
const procs: WorkerProcess[] = [];
t.onClose(() => Promise.all(procs.map((p) => p.kill())));

/** The worker process as pm2 would run it, pointed at the test SMTP server. */
async function workers(): Promise<WorkerProcess> {
  const p = await startWorkerProcess(
    {
      EMAIL_HOST: t.smtp.host,
      EMAIL_PORT: String(t.smtp.port),
      // A dead worker's job is noticed as stalled within about two seconds.
      WORKER_LOCK_DURATION_MS: '1000',
      WORKER_STALLED_INTERVAL_MS: '500',
      // A claim is taken over only after its lock lapses (6 s here; at least 4 × the SMTP
      // timeout allows): a run can give up no later than that.
      EMAIL_TIMEOUT_MS: '1500',
      EMAIL_CLAIM_LOCK_MS: '6000',
    },
    ['emails'],
  );
  procs.push(p);
  return p;
}

/** Workers up, an order placed, and its confirmation held in the SMTP server's DATA phase. */
async function orderWithEmailHeld(user: 'alice' | 'bob') {
  const data = t.smtp.holdNextData();
  const proc = await workers();
  const phasesBefore = t.smtp.dataPhases();
  const orderId = await t.as(user).placeOrder();
  const { eventId } = await eventually(
    () => OrderHistory.findOne({ orderIdString: orderId }).lean(),
    3000,
    'the history row',
  );
  const session = await data.reached;
  return { proc, phasesBefore, eventId, session, release: data.release };
}

describe('a worker process killed in the middle of sending an email', () => {
  it('finishes the job after a restart, and the customer gets exactly one email', async () => {
    const { proc: first, phasesBefore, eventId, session, release } = await orderWithEmailHeld('alice');

    first.child.kill('SIGKILL');
    await first.exited;
    await t.smtp.whenClosed(session);
    release(); // too late: the client is gone, so the server does not take that message

    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({ state: 'sending' });
    await workers();
    const job = await settled(t.queues.emails, eventId, 15_000);

    expect(await job.getState()).toBe('completed');
    const mails = t.smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`);
    expect(mails).toHaveLength(1);
    expect(t.smtp.dataPhases() - phasesBefore).toBe(2);
    // The rerun cannot know the dead run never got a 250: the row says a repeat was possible.
    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({ state: 'sent', attempts: 2, maybeSent: true });
    await first.kill();
  }, 30_000);
});

describe('an email job run again while its first run is still sending (its lock lapsed, as when Redis is away)', () => {
  it('waits for the first run instead of sending a second copy, and completes as already sent', async () => {
    await Promise.all(procs.map((p) => p.kill()));
    const { phasesBefore, eventId, release } = await orderWithEmailHeld('bob');

    // The first run is alive but its BullMQ lock is gone: the stalled check hands the job out again.
    const redis = await t.queues.emails.client;
    await redis.del(t.queues.emails.toKey(`${eventId}:lock`));
    await eventually(
      async () => (await t.queues.emails.getJob(eventId))?.getState().then((s) => s === 'delayed'),
      5000,
      'the rerun to wait for the claim',
    );
    release();
    const job = await settled(t.queues.emails, eventId, 15_000);

    expect(job.returnvalue).toMatchObject({ skipped: 'already sent' });
    expect(t.smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`)).toHaveLength(1);
    expect(t.smtp.dataPhases() - phasesBefore).toBe(1);
    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({
      state: 'sent',
      attempts: 1,
      maybeSent: false,
    });
  }, 30_000);
});

describe('a worker process killed after the SMTP server accepted an email, before it was recorded', () => {
  it('does not send it again: the rerun finds the 250 noted on the job and records it', async () => {
    await Promise.all(procs.map((p) => p.kill()));
    const { proc: first, phasesBefore, eventId, session, release } = await orderWithEmailHeld('alice');
    // The state such a crash leaves: the run noted the server's 250 on its job and died
    // before its database write (here it dies before the 250, which the note stands for).
    await (await t.queues.emails.getJob(eventId))!.updateProgress({
      smtp: 'accepted',
      response: '250 2.0.0 queued as 4F2A',
    });
    first.child.kill('SIGKILL');
    await first.exited;
    await t.smtp.whenClosed(session);
    release();

    await workers();
    const job = await settled(t.queues.emails, eventId, 15_000);

    expect(job.returnvalue).toMatchObject({ skipped: 'already sent' });
    expect(t.smtp.dataPhases() - phasesBefore).toBe(1);
    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({
      state: 'sent',
      attempts: 1,
      smtpResponse: '250 2.0.0 queued as 4F2A',
    });
  }, 30_000);
});

describe('a job whose run is lost twice (its lock lapsed each time, as when its worker dies)', () => {
  it('is run a third time and completes, rather than failing as stalled', async () => {
    const releases: (() => void)[] = [];
    let runs = 0;
    const worker = startQueueWorker(
      'refunds',
      async () => {
        runs += 1;
        await new Promise<void>((resolve) => releases.push(resolve));
        return 'done';
      },
      t.queues['dead-letter'],
      workerSettings({ stalledIntervalMs: 200, lockDurationMs: 10_000 }),
    );
    try {
      const job = await t.queues.refunds.add('return.completed', {}, { jobId: 'lost-twice' });
      const redis = await t.queues.refunds.client;
      for (const run of [1, 2]) {
        await eventually(async () => runs === run, 5000, `run ${run}`);
        await redis.del(t.queues.refunds.toKey(`${job.id}:lock`));
      }
      await eventually(async () => runs === 3, 5000, 'a third run');
      releases.forEach((release) => release());
      const done = await settled(t.queues.refunds, 'lost-twice');

      expect(await done.getState()).toBe('completed');
      expect(done.stalledCounter).toBe(2);
    } finally {
      releases.forEach((release) => release());
      await worker.close(2000);
    }
  }, 30_000);
});
