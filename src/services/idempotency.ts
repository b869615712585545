import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { IdempotencyRecord } from '../models';
import { ConflictError, UnprocessableError } from '../shared/errors';
import { insertOnce } from '../models/insert-once';
import type { ServiceSettings } from './settings';

const WAIT_MS = 10_000;
const POLL_MS = 50;

/** A stable fingerprint of a request body (key order does not matter). */
export function fingerprint(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

export interface IdempotentRun<T> {
  scope: string;
  userId: string;
  key: string;
  request: unknown;
  /** Does the work; receives the record id to stamp on what it creates. */
  execute: (recordId: string) => Promise<T>;
  /** Rebuilds the result of a run whose process died after committing, if it committed. */
  recover: (recordId: string) => Promise<T | null>;
}

/**
 * Runs `execute` at most once per (scope, user, key) within 24 h and replays its result to
 * later calls (DESIGN.md 7). Concurrent calls wait for the first; the same key with a
 * different request is refused. If the first caller's process died, a later call takes
 * over and recovers what was committed rather than doing the work twice.
 */
export async function runIdempotent<T>(
  run: IdempotentRun<T>,
  settings: Pick<ServiceSettings, 'IDEMPOTENCY_LOCK_MS' | 'IDEMPOTENCY_RETENTION_HOURS'>,
): Promise<{ value: T; replayed: boolean }> {
  const id = `${run.scope}:${run.userId}:${run.key}`;
  const requestHash = fingerprint(run.request);
  const deadline = Date.now() + WAIT_MS;

  const finish = async (value: T) => {
    // Stored as the JSON the client received: the driver would write `undefined` fields
    // as null, and a replay must be the first response, not a variant of it.
    const responseBody: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
    await IdempotencyRecord.updateOne({ _id: id }, { $set: { state: 'done', responseBody } });
    return value;
  };
  const own = async (): Promise<{ value: T; replayed: boolean }> => {
    try {
      return { value: await finish(await run.execute(id)), replayed: false };
    } catch (err) {
      // If the work committed before failing, the key stays bound to what it committed;
      // only when nothing was committed is the key freed for a retry.
      const committed = await run.recover(id).catch(() => null);
      if (committed !== null) return { value: await finish(committed), replayed: false };
      await IdempotencyRecord.deleteOne({ _id: id, state: 'pending' });
      throw err;
    }
  };

  while (Date.now() < deadline) {
    const now = new Date();
    const first = await insertOnce(IdempotencyRecord, {
      _id: id,
      requestHash,
      state: 'pending',
      lockedUntil: new Date(now.getTime() + settings.IDEMPOTENCY_LOCK_MS),
      expiresAt: new Date(now.getTime() + settings.IDEMPOTENCY_RETENTION_HOURS * 3_600_000),
    });
    if (first) return own();
    const record = await IdempotencyRecord.findById(id).lean();
    if (!record) continue;
    if (record.expiresAt <= now) {
      await IdempotencyRecord.deleteOne({ _id: id, expiresAt: record.expiresAt });
      continue;
    }
    if (record.requestHash !== requestHash) {
      throw new UnprocessableError(
        'Idempotency key reused',
        'Idempotency-Key',
        'This Idempotency-Key was already used with a different request body',
      );
    }
    if (record.state === 'done') return { value: record.responseBody as T, replayed: true };
    if (record.lockedUntil <= now) {
      const taken = await IdempotencyRecord.updateOne(
        { _id: id, state: 'pending', lockedUntil: record.lockedUntil },
        { $set: { lockedUntil: new Date(now.getTime() + settings.IDEMPOTENCY_LOCK_MS) } },
      );
      if (taken.modifiedCount === 1) {
        const recovered = await run.recover(id);
        if (recovered !== null) return { value: await finish(recovered), replayed: true };
        return await own();
      }
    }
    await sleep(POLL_MS);
  }
  throw new ConflictError(
    'A request with this Idempotency-Key is still being processed; retry later',
    'Idempotency-Key',
  );
}

/** Deletes records past IDEMPOTENCY_RETENTION_HOURS; returns how many. */
export async function purgeExpiredIdempotencyRecords(now: Date = new Date()): Promise<number> {
  const res = await IdempotencyRecord.deleteMany({ expiresAt: { $lte: now } });
  return res.deletedCount ?? 0;
}
