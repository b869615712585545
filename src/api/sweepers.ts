import { config } from '../config';
import { logger } from '../logger';
import type { OutboxRelay } from '../queues/outbox-relay';
import { purgeExpiredIdempotencyRecords } from '../services/idempotency';

/**
 * Background upkeep in every API process: re-relay outbox events a crash left behind, and
 * forget idempotency records older than 24 h. Runs once at start, then on an interval.
 */
export function startSweepers(outbox: OutboxRelay): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= (async () => {
      try {
        await outbox.sweep(config.OUTBOX_SWEEP_AGE_MS);
        await purgeExpiredIdempotencyRecords();
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
