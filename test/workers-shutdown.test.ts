import { OrderHistory } from '../src/models';
import { selectWorkers } from '../src/workers/selection';
import { settled } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const t = useTestApp({ smtp: true });
const procs: WorkerProcess[] = [];
beforeEach(() => t.smtp.acceptAll());
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill();
});

async function workers(env: Record<string, string> = {}, args: string[] = []): Promise<WorkerProcess> {
  const p = await startWorkerProcess({ EMAIL_HOST: t.smtp.host, EMAIL_PORT: String(t.smtp.port), ...env }, args);
  procs.push(p);
  return p;
}

const placed = async (): Promise<string> => {
  const orderId = await t.as('bob').placeOrder();
  return (await eventually(() => OrderHistory.findOne({ orderIdString: orderId }).lean(), 3000, 'the history row'))
    .eventId;
};
const mailsOf = (eventId: string) => t.smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`);

describe('stopping the worker process', () => {
  it('on SIGTERM takes no new job, lets the running email job finish, and exits 0', async () => {
    const proc = await workers();
    const hold = t.smtp.holdNextData();
    const eventId = await placed();
    await hold.reached;

    proc.child.kill('SIGTERM');
    setTimeout(hold.release, 700); // the SMTP server answers while the process is stopping
    const exit = await proc.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(await (await t.queues.emails.getJob(eventId))?.getState()).toBe('completed');
    expect(mailsOf(eventId)).toHaveLength(1);
    expect(proc.output()).toMatch(/"msg":"workers stopped"/);
  }, 20_000);

  it('hands a job that outlives the shutdown budget back to the queue; the next process sends it once', async () => {
    const proc = await workers({ SHUTDOWN_TIMEOUT_MS: '2500' }); // 500 ms for running jobs
    const hold = t.smtp.holdNextData();
    const eventId = await placed();
    const session = await hold.reached;

    const stoppedAt = Date.now();
    proc.child.kill('SIGINT');
    const exit = await proc.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(2500);
    expect(proc.output()).toMatch(/released an unfinished job at shutdown/);
    expect(await (await t.queues.emails.getJob(eventId))?.getState()).toBe('waiting');
    await t.smtp.whenClosed(session);
    hold.release(); // the client is gone: the server does not take that message

    await workers();
    const job = await settled(t.queues.emails, eventId);
    expect(await job.getState()).toBe('completed');
    expect(mailsOf(eventId)).toHaveLength(1);
  }, 60_000); // two worker processes start under tsx: slow while chaos shares the two cores

  it('runs only the workers it is told to run', async () => {
    const proc = await workers({ WORKERS: 'analytics' });
    const eventId = await placed();

    await settled(t.queues.analytics, eventId);

    expect(await (await t.queues.emails.getJob(eventId))?.getState()).toBe('waiting');
    expect(proc.output()).toMatch(/"workers":\["analytics"\]/);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  }, 20_000);

  it('takes the worker names from the command line before WORKERS, and refuses unknown ones', () => {
    expect(selectWorkers([], ['emails', 'analytics'])).toEqual(['emails', 'analytics']);
    expect(selectWorkers(['refunds', 'emails'], ['analytics'])).toEqual(['refunds', 'emails']);
    expect(selectWorkers(['--workers=customer-stats,analytics,analytics'], ['emails'])).toEqual([
      'customer-stats',
      'analytics',
    ]);
    expect(() => selectWorkers(['mails'], ['emails'])).toThrow(/unknown worker\(s\): mails/);
  });
});
