import { QueueEvents, type Job } from 'bullmq';
import { config } from '../src/config';
import { Order } from '../src/models';
import { newEvent } from '../src/services/order-events';
import { commitChange } from '../src/services/order-write';
import { eventually, useTestApp } from './helpers/test-app';
import { users } from './helpers/tokens';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { queuePrefix } from '../src/queues/prefix';

/**
 * The fleet's periodic work as BullMQ job schedulers: three worker processes that run
 * only `upkeep`, with an outbox recovery tick every 300 ms that takes 1.5 s (so a process
 * found running one is still in the middle of it when it is killed, on a loaded machine
 * too: at 400 ms a tick could end first), locks that lapse within a second.
 */
const FLEET = {
  WORKERS: 'upkeep',
  OUTBOX_SWEEP_INTERVAL_MS: '300',
  OUTBOX_SWEEP_AGE_MS: '100',
  TEST_UPKEEP_TICK_DELAY_MS: '1500',
  WORKER_LOCK_DURATION_MS: '1000',
  WORKER_STALLED_INTERVAL_MS: '500',
};

const t = useTestApp();
const fleet: WorkerProcess[] = [];
/** Every job of the upkeep queue that became active, as often as it did, and those completed. */
const active: string[] = [];
const completed = new Set<string>();
beforeAll(async () => {
  const events = new QueueEvents('upkeep', {
    connection: { url: config.REDIS_URL },
    prefix: queuePrefix(config.QUEUE_PREFIX, 'upkeep'),
  });
  await events.waitUntilReady();
  events.on('active', ({ jobId }) => active.push(jobId));
  events.on('completed', ({ jobId }) => completed.add(jobId));
  t.onClose(() => events.close());
  t.onClose(() => Promise.all(fleet.map((p) => p.kill())));
  fleet.push(...(await Promise.all([1, 2, 3].map(() => startWorkerProcess(FLEET)))));
}, 60_000);

const ticks = (ids: string[]) => ids.filter((id) => id.startsWith('repeat:outbox-recovery:'));
const timesActive = (id: string) => active.filter((a) => a === id).length;

describe('periodic work owned by BullMQ, across three worker processes', () => {
  it('runs each tick of the outbox recovery exactly once', async () => {
    await eventually(async () => ticks([...completed]).length >= 6, 20_000, 'six completed ticks');

    const done = ticks([...completed]);
    expect(done.map((id) => ({ id, runs: timesActive(id) })).filter((r) => r.runs !== 1)).toEqual([]);
  }, 30_000);

  it('delivers an outbox left behind by a crash, with no API process running', async () => {
    const orderId = await t.as('alice').placeOrder();
    const order = (await Order.findOne({ orderId }, { _id: 1, version: 1 }).lean())!;
    const admin = { userId: users.admin._id, role: 'Administrator', name: 'Order Desk' } as const;
    // A commit whose relay never ran, as if its API process died right after the write.
    await commitChange(order, { status: 'Processing' }, [
      newEvent('order.status_changed', admin, { from: 'Placed', to: 'Processing' }),
    ]);

    await eventually(
      async () => (await Order.findById(order._id, { outboxPending: 1 }).lean())?.outboxPending === false,
      10_000,
      'the fleet to relay it',
    );
  }, 20_000);

  it('runs a tick whose worker dies again on another, and completes it once', async () => {
    // A tick is caught in progress and its process killed. On a starved machine the tick can
    // end between being seen and the kill; then the kill caught nothing, and another tick is
    // caught (the killed process replaced).
    let tick: Job | undefined;
    for (let attempt = 1; !tick; attempt++) {
      const running = await eventually(
        async () => {
          const job = (await t.queues.upkeep.getActive()).find((j) => j.name === 'outbox-recovery');
          return job?.processedBy ? job : null;
        },
        10_000,
        'a tick in progress',
      );
      const victim = fleet.find((p) => running.processedBy?.endsWith(`:${p.child.pid}`));
      expect(victim).toBeDefined();
      await victim!.kill();
      const after = await t.queues.upkeep.getJob(String(running.id));
      if (!after?.finishedOn || attempt === 3) tick = running;
      else fleet.splice(fleet.indexOf(victim!), 1, await startWorkerProcess(FLEET));
    }

    await eventually(
      async () => completed.has(String(tick.id)),
      15_000,
      `tick ${tick.id} to be completed by another process`,
    );
    expect(timesActive(String(tick.id))).toBe(2);
    const rerun = await t.queues.upkeep.getJob(String(tick.id));
    expect(rerun?.processedBy).not.toBe(tick.processedBy);
  }, 60_000);
});
