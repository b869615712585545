/** What the demo reads of the queues: that each is worked, and when the work is done. */
import { metrics, waitFor } from './api';
import { WORK_QUEUE_NAMES } from '../../src/shared/names';

const workersOf = (text: string) =>
  new Map([...text.matchAll(/^orms_queue_workers\{queue="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));

/**
 * Every queue has a worker, or the demo stops naming the ones without: their jobs would
 * only wait, and every step after would time out for a reason it could not name. Workers
 * that are still starting get `graceMs`.
 */
export async function everyQueueWorked(graceMs: number): Promise<number> {
  let unworked: string[] = [];
  await waitFor(
    async () => {
      const workers = workersOf(await metrics());
      unworked = WORK_QUEUE_NAMES.filter((q) => !workers.get(q));
      return unworked.length === 0;
    },
    Date.now() + graceMs,
    () =>
      `no worker process works the ${unworked.map((q) => `"${q}"`).join(', ')} queue${unworked.length > 1 ? 's' : ''} (orms_queue_workers 0): ` +
      `${unworked.length > 1 ? 'their' : 'its'} jobs would wait for ever. Start the workers with every queue (bash scripts/start.sh with WORKERS empty), or a process for the ones left out`,
  );
  return WORK_QUEUE_NAMES.length;
}

/** Jobs not yet done in the queues the demo's changes feed (upkeep's own schedule aside: it always has its next ticks delayed). */
export async function jobsLeft(): Promise<number> {
  const text = await metrics();
  let left = 0;
  for (const m of text.matchAll(
    /^orms_queue_jobs\{queue="([^"]+)",state="(waiting|active|delayed|prioritized)"\} (\d+)$/gm,
  )) {
    if (m[1] !== 'upkeep' && m[1] !== 'dead-letter') left += Number(m[3]);
  }
  return left;
}
