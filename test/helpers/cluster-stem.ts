import calculateSlot from 'cluster-key-slot';
import { QUEUE_NAMES } from '../../src/shared/names';
import { queuePrefix } from '../../src/queues/prefix';

/**
 * Imported first by a test file on a three-master Redis Cluster: picks this file's queue
 * stem so that its queues' hash tags fall in each third of the slots, the ranges
 * `redis-cli --cluster create` gives three masters. Without it, whether the queues spread
 * over the masters would depend on the process id in the stem.
 */
const base = process.env.QUEUE_PREFIX ?? 'orms-cluster';
const thirdOf = (stem: string, queue: string) => Math.floor((calculateSlot(queuePrefix(stem, queue)) * 3) / 16384);
const spreads = (stem: string) => new Set(QUEUE_NAMES.map((q) => thirdOf(stem, q))).size === 3;

const n = Array.from({ length: 1000 }, (_, i) => i).find((i) => spreads(`${base}-${i}`));
// None in a thousand: the queues no longer have a hash tag each.
if (n === undefined)
  throw new Error(`no stem from ${base} spreads the queues over three masters: do they share one hash tag?`);
process.env.QUEUE_PREFIX = `${base}-${n}`;
