import type { Types } from 'mongoose';
import { config } from './config';
import { logger } from './logger';
import type { OutboxRelay } from './queues/outbox-relay';
import { purgeExpiredIdempotencyRecords } from './services/idempotency';
import { sweepOrphanItems } from './services/orphan-items';
import { reconcileReturnRequests } from './services/returns/reconcile';

export interface Upkeep {
  stop(): Promise<void>;
}

/**
 * Background upkeep in every API and worker process, at two paces. Often
 * (OUTBOX_SWEEP_INTERVAL_MS): re-relay outbox events a crash left behind and finish or
 * undo return steps a crash left half done — both are waited for by users. Rarely
 * (MAINTENANCE_INTERVAL_MS): forget idempotency records older than 24 h and remove items
 * of orders never committed — both look at data hours or minutes old, and both are full
 * scans on FerretDB. Every step is idempotent, so several processes sweeping at once do
 * no harm; a step that fails is retried on the next tick.
 */
export function startUpkeep(outbox: OutboxRelay): Upkeep {
  let itemsSeen: Types.ObjectId | null = null;
  const recovery = periodic('recovery', config.OUTBOX_SWEEP_INTERVAL_MS, { atStart: true }, async () => {
    await outbox.sweep(config.OUTBOX_SWEEP_AGE_MS);
    const settled = await reconcileReturnRequests();
    if (settled) logger.info({ settled }, 'settled return requests a crash left half done');
  });
  // Not at start: nothing here is urgent, and every process of a restart would scan at once.
  const maintenance = periodic('maintenance', config.MAINTENANCE_INTERVAL_MS, { atStart: false }, async () => {
    await purgeExpiredIdempotencyRecords();
    const orphans = await sweepOrphanItems(itemsSeen);
    itemsSeen = orphans.next;
    if (orphans.removed) logger.info({ removed: orphans.removed }, 'removed items of orders never committed');
  });
  return {
    async stop() {
      await Promise.all([recovery.stop(), maintenance.stop()]);
    },
  };
}

/** Runs `work` every `intervalMs` (and at once if `atStart`), never two at once; stop() waits for a run in flight. */
function periodic(name: string, intervalMs: number, opts: { atStart: boolean }, work: () => Promise<void>): Upkeep {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= work()
      .catch((err: unknown) => logger.warn({ err, sweep: name }, 'sweep failed; will retry'))
      .finally(() => {
        running = null;
      });
  };
  if (opts.atStart) tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
