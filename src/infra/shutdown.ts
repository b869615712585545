import { logger } from '../logger';
import { once } from './once';

/**
 * When a step runs during shutdown (in the spirit of Outline's ShutdownHelper): first what
 * takes work in (HTTP, workers), then what works in the background, then what everything
 * else depends on (queues, connections). Steps of one phase run side by side.
 */
export const Phase = { intake: 0, background: 1, connections: 2 } as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

interface Step {
  name: string;
  phase: Phase;
  run: () => Promise<void> | void;
}

/** The ordered shutdown of one process: every part registers how it stops. */
export class Shutdown {
  private readonly steps: Step[] = [];

  constructor(private readonly deadlineMs: number) {}

  add(name: string, phase: Phase, run: Step['run']): void {
    this.steps.push({ name, phase, run });
  }

  /** Runs every step, phase by phase; a failing step is logged and does not stop the others. Safe to call twice. */
  readonly stop = once(async () => {
    for (const phase of [Phase.intake, Phase.background, Phase.connections]) {
      const steps = this.steps.filter((s) => s.phase === phase);
      await Promise.all(
        steps.map((s) =>
          Promise.resolve()
            .then(s.run)
            .catch((err: unknown) => logger.warn({ err, step: s.name }, 'shutdown step failed')),
        ),
      );
    }
  });

  /**
   * Ends the process on SIGTERM and SIGINT after stopping in order, and on an unhandled
   * rejection or exception after logging it with context; whatever outlasts the deadline
   * is cut short (pm2's kill_timeout is longer).
   */
  exitOnSignals(processName: string): void {
    const exit = (code: number, why: Record<string, unknown>) => {
      logger.info({ ...why, process: processName }, `${processName} stopping`);
      setTimeout(() => {
        logger.error({ process: processName }, `${processName} did not stop in time; exiting`);
        process.exit(1);
      }, this.deadlineMs).unref();
      void this.stop().then(() => {
        logger.info({ process: processName }, `${processName} stopped`);
        process.exit(code);
      });
    };
    process.once('SIGTERM', () => exit(0, { signal: 'SIGTERM' }));
    process.once('SIGINT', () => exit(0, { signal: 'SIGINT' }));
    process.once('unhandledRejection', (err: unknown) => {
      logger.fatal({ err }, 'unhandled promise rejection');
      exit(1, { reason: 'unhandledRejection' });
    });
    process.once('uncaughtException', (err: Error) => {
      logger.fatal({ err }, 'uncaught exception');
      exit(1, { reason: 'uncaughtException' });
    });
  }
}
