import type { Model, SortOrder } from 'mongoose';

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
