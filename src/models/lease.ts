import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { insertOnce } from './insert-once';
import type { Insertable } from './insert-documents';

type LeaseId = string | Types.ObjectId;

/** A collection of leases: `{_id, token, until}`, one per thing held. */
export interface LeaseStore extends Insertable {
  findById(id: LeaseId): { lean<T>(): Promise<T | null> };
  deleteOne(filter: { _id: LeaseId; token: string }): Promise<unknown>;
}

export interface LeaseTerms {
  /** Longer than any write made under it; a lease older than this was abandoned. */
  leaseMs: number;
  /** How long to wait for it; then `busy()` is thrown. */
  waitMs: number;
  busy: () => Error;
}

const pause = () => new Promise((r) => setTimeout(r, 2 + Math.random() * 6));

/**
 * Runs `fn` while holding the lease on `id`. Inserting a taken `_id` fails atomically on
 * FerretDB as on MongoDB, which a filtered update does not (FerretDB v1 applies one as
 * read, modify, write back): inside the lease a read sees every earlier write.
 */
export async function withLease<T>(
  store: LeaseStore,
  id: LeaseId,
  terms: LeaseTerms,
  fn: () => Promise<T>,
): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + terms.waitMs;
  for (;;) {
    if (await insertOnce(store, { _id: id, token, until: new Date(Date.now() + terms.leaseMs) })) break;
    const held = await store.findById(id).lean<{ token: string; until: Date }>();
    if (held && held.until.getTime() < Date.now()) {
      // Its holder died without releasing it; of several takers, the unique _id admits one.
      await store.deleteOne({ _id: id, token: held.token });
      continue;
    }
    if (Date.now() > deadline) throw terms.busy();
    await pause();
  }
  try {
    return await fn();
  } finally {
    await store.deleteOne({ _id: id, token });
  }
}
