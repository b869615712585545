import type { Model, SortOrder } from 'mongoose';

/** Which page of a list a caller asks for, and in which direction it is sorted. */
export interface PageRequest {
  page: number;
  limit: number;
  sortOrder: 'asc' | 'desc';
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
export async function paginate<T>(
  model: Model<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any model
  filter: Record<string, unknown>,
  sort: Record<string, SortOrder>,
  page: number,
  limit: number,
  projection?: Record<string, 0 | 1>,
): Promise<Page<T>> {
  const [rows, total] = await Promise.all([
    model.find(filter, projection).sort(sort).skip((page - 1) * limit).limit(limit).lean<T[]>(),
    model.countDocuments(filter),
  ]);
  return { rows, page, limit, total };
}
