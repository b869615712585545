import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import { compareWithCommitted, findCommittedEvent } from '../services/committed-events';
import { DomainError } from '../shared/errors';
import { customerSyncJobSchema, eventJobSchema, type CustomerSyncJob, type EventJob } from '../queues/payloads';
import { orderDeletedSkip } from './deleted-orders';

/** A job's payload, validated; a malformed one can never succeed, so it fails at once. */
export function payloadOf<S extends z.ZodType>(job: Job, schema: S): z.infer<S> {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UnrecoverableError(`invalid ${job.name} payload: ${first.path.join('.') || 'data'}: ${first.message}`);
  }
  return parsed.data;
}

/**
 * A domain event job (job.name = event type) that matches, field for field, an event a
 * committed change recorded. Anything else (a job added by hand with a made-up event id,
 * or a real one with its statuses altered) could only do harm, so it fails at once and is
 * dead-lettered: it sends no email, moves no statistics and touches no analytics. A true
 * one whose order was deleted since is skipped (deleted-orders.ts).
 */
export async function eventOf(job: Job): Promise<EventJob> {
  return (await eventWithReads(job, async () => undefined))[0];
}

/**
 * `eventOf`, with `read` (reads only: it runs before the event is known to be committed)
 * started alongside the check instead of after it: one round trip less per job. What `read`
 * found counts only once the check has passed; a job the check refuses fails with the
 * check's reason, whatever `read` did.
 */
export async function eventWithReads<T>(job: Job, read: (ev: EventJob) => Promise<T>): Promise<[EventJob, T]> {
  const ev = payloadOf(job, eventJobSchema);
  if (ev.type !== job.name) throw new UnrecoverableError(`job name ${job.name} does not match event type ${ev.type}`);
  const [checked, found] = await Promise.allSettled([compareWithCommitted(ev), read(ev)]);
  if (checked.status === 'rejected') throw checked.reason;
  const compared = checked.value;
  if (compared === null) throw new UnrecoverableError(`event ${ev.eventId} is not an event of a committed change`);
  if (compared.differences.length)
    throw new UnrecoverableError(
      `event ${ev.eventId} differs from the committed one in ${compared.differences.join(', ')}`,
    );
  if (compared.orderDeleted) throw orderDeletedSkip(ev);
  if (found.status === 'rejected') throw found.reason;
  return [ev, found.value];
}

/** A customer sync asked for by a committed event of that customer. */
export async function syncRequestOf(job: Job): Promise<CustomerSyncJob> {
  const sync = payloadOf(job, customerSyncJobSchema);
  const asker = await findCommittedEvent(sync.eventId);
  if (asker?.customerId !== sync.customerId)
    throw new UnrecoverableError(`no committed event of customer ${sync.customerId} asked for this sync`);
  return sync;
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

export const isUnrecoverable = (err: Error): boolean =>
  err instanceof UnrecoverableError || err.name === 'UnrecoverableError';

const attemptsOf = (job: Job): number => job.opts.attempts ?? 1;
/** Whether a failure after `attemptsMade` attempts is the last: BullMQ will not run the job again. */
export const failsForGood = (job: Job, err: Error, attemptsMade: number): boolean =>
  isUnrecoverable(err) || attemptsMade >= attemptsOf(job);

/**
 * Runs a job whose work has a record of its own (a bulk change, an export): when this
 * attempt fails for good, `recordFailure` marks the record before the error goes on, so
 * the record never says running for a job that will not run again.
 */
export async function withRecordedFailure<T>(
  job: Job,
  work: () => Promise<T>,
  recordFailure: (reason: string) => Promise<void>,
): Promise<T> {
  try {
    return await work();
  } catch (raw) {
    const err = asJobError(raw);
    if (failsForGood(job, err, job.attemptsMade + 1)) await recordFailure(err.message).catch(() => undefined);
    throw err;
  }
}
