import './helpers/pipeline-env';
import { EmailDelivery, OrderHistory } from '../src/models';
import { placeOrder } from './helpers/orders';
import { settled } from './helpers/pipeline';
import { startTestSmtpServer, type TestSmtpServer } from './helpers/smtp-test-server';
import { eventually, startTestApp, type TestApp } from './helpers/test-app';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

let t: TestApp;
let smtp: TestSmtpServer;
const procs: WorkerProcess[] = [];

beforeAll(async () => {
  t = await startTestApp();
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  for (const p of procs) await p.kill();
  await smtp.close();
  await t.close();
});

/** The worker process as pm2 would run it, pointed at the test SMTP server. */
async function workers(): Promise<WorkerProcess> {
  const p = await startWorkerProcess({
    EMAIL_HOST: smtp.host,
    EMAIL_PORT: String(smtp.port),
    // A dead worker's job is noticed as stalled within about two seconds.
    WORKER_LOCK_DURATION_MS: '1000',
    WORKER_STALLED_INTERVAL_MS: '500',
    // Long on purpose: the rerun must take the claim over because it is the same job, not
    // because the claim expired (that would take 20 s and fail this test by timeout).
    EMAIL_CLAIM_LOCK_MS: '20000',
  }, ['emails']);
  procs.push(p);
  return p;
}

describe('a worker process killed in the middle of sending an email', () => {
  it('finishes the job after a restart, and the customer gets exactly one email', async () => {
    let reachedData!: (sessionId: string) => void;
    const dataReached = new Promise<string>((resolve) => (reachedData = resolve));
    let releaseData!: () => void;
    const held = new Promise<null>((resolve) => (releaseData = () => resolve(null)));
    // The first DATA phase hangs before the server's 250, as a slow relay would.
    smtp.gate((_stream, sessionId) => {
      smtp.acceptAll();
      reachedData(sessionId);
      return held;
    });
    const first = await workers();

    const orderId = await placeOrder(t.app, 'alice');
    const { eventId } = await eventually(() => OrderHistory.findOne({ orderIdString: orderId }).lean(), 3000, 'the history row');
    const session = await dataReached;
    first.child.kill('SIGKILL');
    await first.exited;
    await smtp.whenClosed(session);
    releaseData(); // too late: the client is gone, so the server does not take that message

    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({ state: 'sending' });
    await workers();
    const job = await settled(t.queues.emails, eventId, 15_000);

    expect(await job.getState()).toBe('completed');
    const mails = smtp.received.filter((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`);
    expect(mails).toHaveLength(1);
    expect(smtp.dataPhases()).toBe(2);
    expect(await EmailDelivery.findById(eventId).lean()).toMatchObject({ state: 'sent', attempts: 2 });
  }, 30_000);
});
