/** MongoDB's duplicate-key error (E11000): a unique index refused the write. */
export const isDuplicateKey = (err: unknown): boolean => typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;

/**
 * Inserts `doc` unless a document with the same unique key exists: the way every
 * idempotent write here records something once. True when this call inserted it.
 */
export async function insertOnce<D extends object>(model: { create(doc: D): Promise<unknown> }, doc: D): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
