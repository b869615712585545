import { WORK_QUEUE_NAMES as ALL, type WorkQueueName } from '../shared/names';

/**
 * Which workers this process runs: names on the command line (`emails analytics` or
 * `--workers=emails,analytics`) win over WORKERS (already parsed by config); duplicates
 * are dropped, unknown names refused.
 */
export function selectWorkers(argv: readonly string[], fromConfig: readonly WorkQueueName[]): WorkQueueName[] {
  const given = argv
    .flatMap((a) => (a.startsWith('--workers=') ? a.slice('--workers='.length) : a.startsWith('-') ? '' : a).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const names = given.length ? given : fromConfig;
  const unknown = names.filter((n) => !(ALL as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown worker(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  const chosen = [...new Set(names as WorkQueueName[])];
  if (!chosen.length) throw new Error(`no workers selected; choose from ${ALL.join(', ')}`);
  return chosen;
}

/** The work queues a process running `names` leaves to other processes. */
export const queuesLeftOut = (names: readonly WorkQueueName[]): WorkQueueName[] =>
  ALL.filter((q) => !names.includes(q));
