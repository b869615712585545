import type { Request, Response } from 'express';
import { z } from 'zod';
import { ValidationError } from '../shared/errors';
import { runIdempotent } from '../services/idempotency';
import type { ServiceSettings } from '../services/settings';
import { ok } from './envelope';

const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'Must be 8-128 letters, digits or _.:-');

/** The Idempotency-Key header, validated; undefined when absent. */
function idempotencyKeyOf(req: Request): string | undefined {
  const header = req.get('idempotency-key');
  if (header === undefined) return undefined;
  const parsed = idempotencyKey.safeParse(header);
  if (!parsed.success)
    throw new ValidationError([{ field: 'Idempotency-Key', message: parsed.error.issues[0].message }]);
  return parsed.data;
}

export interface IdempotentWrite<T, V> {
  /** Which operation the key is for, so one key cannot replay another operation's answer. */
  scope: string;
  userId: string;
  /** What the first request asked; the same key with another request answers 422. */
  request: unknown;
  /** Does the work, stamping what it creates with the key's record id when there is one. */
  execute: (recordId?: string) => Promise<T>;
  /** What a run under this record id committed before its process died, if anything. */
  recover: (recordId: string) => Promise<T | null>;
  present: (value: T) => V;
  /** How long a key's first run holds it, and its answer is kept. */
  settings: Pick<ServiceSettings, 'IDEMPOTENCY_LOCK_MS' | 'IDEMPOTENCY_RETENTION_HOURS'>;
  status: number;
  message: string;
}

/**
 * Answers a write that honours an Idempotency-Key (DESIGN.md 7): without one it just runs;
 * with one, the first answer is kept for 24 h and replayed with `Idempotent-Replayed: true`.
 */
export async function respondIdempotently<T, V>(req: Request, res: Response, w: IdempotentWrite<T, V>): Promise<void> {
  const key = idempotencyKeyOf(req);
  const { value, replayed } = key
    ? await runIdempotent(
        {
          scope: w.scope,
          userId: w.userId,
          key,
          request: w.request,
          execute: async (recordId) => w.present(await w.execute(recordId)),
          recover: async (recordId) => {
            const found = await w.recover(recordId);
            return found && w.present(found);
          },
        },
        w.settings,
      )
    : { value: w.present(await w.execute()), replayed: false };
  if (replayed) res.set('Idempotent-Replayed', 'true');
  ok(res, w.message, value, w.status);
}
