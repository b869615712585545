import { config } from '../config';
import { logger } from '../logger';
import type { OutboxRelay } from './outbox-relay';
import type { Types } from 'mongoose';
import { purgeExpiredIdempotencyRecords } from '../services/idempotency';
import { sweepOrphanItems } from '../services/orphan-items';
import { reconcileReturnRequests } from '../services/returns/reconcile';

/**
 * Background upkeep in every API and worker process: re-relay outbox events a crash left
 * behind, forget idempotency records older than 24 h, and remove items of orders that were
 * never committed, and finish or undo return steps a crash left half done. Runs once at start, then on an interval. Every step is idempotent, so
 * several processes sweeping at once do no harm.
 */
export function startSweepers(outbox: OutboxRelay): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let itemsSeen: Types.ObjectId | null = null;
  const tick = () => {
    running ??= (async () => {
      try {
        await outbox.sweep(config.OUTBOX_SWEEP_AGE_MS);
        await purgeExpiredIdempotencyRecords();
        const orphans = await sweepOrphanItems(itemsSeen);
        itemsSeen = orphans.next;
        if (orphans.removed) logger.info({ removed: orphans.removed }, 'removed items of orders never committed');
        const settled = await reconcileReturnRequests();
        if (settled) logger.info({ settled }, 'settled return requests a crash left half done');
      } catch (err) {
        logger.warn({ err }, 'sweep failed; will retry');
      } finally {
        running = null;
      }
    })();
  };
  tick();
  const timer = setInterval(tick, config.OUTBOX_SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
