import type { ServiceDeps } from '../services/deps';

/**
 * Faults the crash tests inject into a process, wired in by the runtime and only when
 * ENVIRONMENT=test (config refuses the switches anywhere else); no use case knows of them.
 *
 * TEST_CRASH_AFTER_ORDER_WRITE: the process is SIGKILLed when a commit hands its order to the
 * relay, i.e. after the write and before any event of it is delivered (test/outbox-crash.test.ts).
 */
export function withInjectedFaults(
  services: ServiceDeps,
  faults: { ENVIRONMENT: string; TEST_CRASH_AFTER_ORDER_WRITE: boolean },
): ServiceDeps {
  if (faults.ENVIRONMENT !== 'test' || !faults.TEST_CRASH_AFTER_ORDER_WRITE) return services;
  return {
    ...services,
    relay: async () => {
      process.kill(process.pid, 'SIGKILL');
    },
  };
}
