import { insertDocuments, type Insertable } from './insert-documents';

/** MongoDB's duplicate-key error (E11000): a unique index refused the write. */
export const isDuplicateKey = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;

/**
 * Inserts `doc` unless a document with the same unique key exists: the way every
 * idempotent write here records something once. True when this call inserted it.
 */
export async function insertOnce(model: Insertable, doc: object): Promise<boolean> {
  try {
    await insertDocuments(model, [doc]);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
