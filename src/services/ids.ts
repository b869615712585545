import { Counter } from '../models';
import { IdClaim } from '../models/id-claim';
import { insertOnce, isDuplicateKey } from '../models/insert-once';

/**
 * The next `PREFIX-YYYY-NNNNNN` id from an atomic per-year counter (DESIGN.md 6).
 * Never random, never reused; a number may be skipped if a request fails after taking it.
 */
export async function nextId(prefix: string, at: Date = new Date()): Promise<string> {
  const year = at.getUTCFullYear();
  const key = `${prefix}-${year}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await Counter.findOneAndUpdate(
        { _id: key },
        { $inc: { seq: 1 } },
        { upsert: true, new: true },
      ).lean();
      if (!doc) throw new Error(`counter ${key} was not returned`);
      const id = `${key}-${String(doc.seq).padStart(6, '0')}`;
      // FerretDB v1 applies $inc as read-modify-write without a row lock, so concurrent
      // callers can be given the same number; inserting it under a unique _id decides
      // who has it, and the others take another.
      if (await insertOnce(IdClaim, { _id: id })) return id;
    } catch (err) {
      // Two first-of-the-year upserts race to insert the counter: the loser tries again.
      if (!isDuplicateKey(err)) throw err;
    }
    if (attempt >= 50) throw new Error(`no free ${key} number after 50 tries`);
  }
}
