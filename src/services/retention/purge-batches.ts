import type { Model } from 'mongoose';

/** How much one call removes at most: `batch` rows looked up at a time, `maxBatches` lookups. */
export interface BatchLimits {
  batch: number;
  maxBatches: number;
}

/**
 * Small, so no delete holds a family's rows for long, and a tick of the maintenance stays
 * short on FerretDB, where the date range of a lookup is filtered after PostgreSQL hands
 * over the rows of the state asked for (only scalar equality reaches it). What is left over
 * goes at the next tick.
 */
export const DEFAULT_LIMITS: BatchLimits = { batch: 200, maxBatches: 10 };

/**
 * Removes the rows `filter` selects, a batch at a time: their ids are looked up (there is no
 * deleteMany with a limit), then deleted by id with the filter again, so a row that left its
 * final state in between (a dead delivery sent again) stays. Returns how many it removed.
 */
export async function purgeInBatches(
  model: Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any model
  filter: Record<string, unknown>,
  limits: BatchLimits = DEFAULT_LIMITS,
): Promise<number> {
  let removed = 0;
  for (let n = 0; n < limits.maxBatches; n++) {
    const rows = await model.collection
      .find<{ _id: unknown }>(filter, { projection: { _id: 1 }, limit: limits.batch })
      .toArray();
    if (!rows.length) break;
    const these: Record<string, unknown> = { ...filter, _id: { $in: rows.map((r) => r._id) } };
    removed += (await model.collection.deleteMany(these)).deletedCount;
    if (rows.length < limits.batch) break;
  }
  return removed;
}
