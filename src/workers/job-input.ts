import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import { DomainError } from '../services/errors';
import { eventJobSchema, type EventJob } from '../queues/payloads';

/** A job's payload, validated; a malformed one can never succeed, so it fails at once. */
export function payloadOf<S extends z.ZodType>(job: Job, schema: S): z.infer<S> {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UnrecoverableError(`invalid ${job.name} payload: ${first.path.join('.') || 'data'}: ${first.message}`);
  }
  return parsed.data;
}

/** A domain event job (job.name = event type). */
export function eventOf(job: Job): EventJob {
  const ev = payloadOf(job, eventJobSchema);
  if (ev.type !== job.name) throw new UnrecoverableError(`job name ${job.name} does not match event type ${ev.type}`);
  return ev;
}

/**
 * What the services throw, as BullMQ should treat it: a domain error (the order or return
 * does not exist, a rule refuses) does not change on retry, so it is unrecoverable —
 * except a conflict (someone else holds the order right now) or an unavailable upstream;
 * anything else (database or network trouble) is retried.
 */
export function asJobError(err: unknown): Error {
  if (err instanceof UnrecoverableError) return err;
  if (err instanceof DomainError && err.kind !== 'conflict' && err.kind !== 'upstream_unavailable') {
    const detail = err.errors.map((e) => e.message).join('; ');
    return new UnrecoverableError(detail ? `${err.message}: ${detail}` : err.message);
  }
  return err instanceof Error ? err : new Error(String(err));
}

export const isUnrecoverable = (err: Error): boolean => err instanceof UnrecoverableError || err.name === 'UnrecoverableError';
