import { AttentionCheck, Order } from '../src/models';
import { eventually, useTestApp } from './helpers/test-app';
import { peersEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

/**
 * The day's digest of overdue work is sent once and never lost, whatever fails after a
 * check claimed it: worker processes of `upkeep` check every second (ATTENTION_CHECK_CRON
 * with seconds), their sends give up after 1 s (EMAIL_TIMEOUT_MS) and a claim whose check
 * died lapses after 4 s (EMAIL_CLAIM_LOCK_MS). Only the digest goes through the mail server.
 */
const t = useTestApp({ smtp: true });

const running: WorkerProcess[] = [];
t.onClose(() => Promise.all(running.map((p) => p.kill())));
async function startChecks(): Promise<WorkerProcess> {
  const p = await startWorkerProcess({
    ...peersEnv(t),
    WORKERS: 'upkeep',
    ATTENTION_CHECK_CRON: '* * * * * *',
    OPS_EMAIL: 'ops@example.com',
    EMAIL_TIMEOUT_MS: '1000',
    EMAIL_CLAIM_LOCK_MS: '4000',
  });
  running.push(p);
  return p;
}

const digests = () => t.smtp.received.filter((m) => m.subject.startsWith('Overdue:'));
/** Checks a worker process ran that found work overdue (it logs each). */
const checksBy = (p: WorkerProcess) => p.output().split('"task":"attention-check"').length - 1;

/** An order not shipped for 50 h, and no digest of today claimed yet. */
async function overdueOrderOfANewDay(): Promise<string> {
  await Promise.all(running.splice(0).map((p) => p.kill()));
  await AttentionCheck.deleteMany({ _id: { $ne: 'latest' } });
  t.smtp.received.splice(0);
  const orderId = await t.as('alice').placeOrder();
  await Order.updateOne({ orderId }, { $set: { orderDate: new Date(Date.now() - 50 * 3600_000) } });
  return orderId;
}

/** Waits for a digest, then for three more checks, and returns every digest by then. */
async function digestsAfterThreeMoreChecks(p: WorkerProcess) {
  await eventually(async () => digests().length > 0, 20_000, 'the digest');
  const soFar = checksBy(p);
  await eventually(async () => checksBy(p) >= soFar + 3, 15_000, 'three more checks');
  return digests();
}

describe("the day's digest of overdue work", () => {
  it('is sent at a later check, once, when the mail server refused it', async () => {
    const orderId = await overdueOrderOfANewDay();
    let refusals = 0;
    t.smtp.gate(() => Promise.resolve(refusals++ ? null : { code: 451, message: 'try again later' }));

    const p = await startChecks();

    const sent = await digestsAfterThreeMoreChecks(p);
    expect(refusals).toBeGreaterThanOrEqual(2);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain(orderId);
  }, 60_000);

  it('is sent once its claim lapses when the worker process died sending it', async () => {
    const orderId = await overdueOrderOfANewDay();
    t.smtp.acceptAll();
    const held = t.smtp.holdNextData();
    const dying = await startChecks();
    const session = await held.reached;

    await dying.kill();
    await t.smtp.whenClosed(session);
    held.release();
    expect(digests()).toHaveLength(0);
    const next = await startChecks();

    const sent = await digestsAfterThreeMoreChecks(next);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain(orderId);
  }, 60_000);
});
