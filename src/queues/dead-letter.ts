import type { Job, Queue } from 'bullmq';
import type { Page } from '../services/pagination';
import { deadLetterSchema, type DeadLetter } from './payloads';
import type { Queues } from './queues';
import type { WorkQueueName } from '../shared/names';

/**
 * The dead-letter queue (DESIGN.md 10): a parking place with no worker. A job that failed
 * for good is copied here with its payload and reason; an operator lists, inspects and
 * replays it through the admin API or Bull Board.
 */

/** BullMQ job ids may not contain ':' (except its own repeat ids). */
const safeId = (s: string): string => s.replace(/:/g, '_');

/** One dead letter per failed job, however many times the failure is reported. */
export const deadLetterIdOf = (queue: string, jobId: string): string => `${queue}-${safeId(jobId)}`;

export function deadLetterOf(
  queue: WorkQueueName,
  job: Job,
  failedReason: string,
  attemptsMade: number,
  failedAt = Date.now(),
): DeadLetter {
  return {
    queue,
    jobId: String(job.id),
    name: job.name,
    data: job.data as unknown,
    failedReason,
    attemptsMade,
    createdAt: job.timestamp,
    processedAt: job.processedOn ?? null,
    failedAt,
  };
}

/** Adds the copy; a second report of the same failure is ignored while the first exists. */
export async function addDeadLetter(deadLetters: Queue, letter: DeadLetter): Promise<string> {
  const id = deadLetterIdOf(letter.queue, letter.jobId);
  await deadLetters.add(letter.queue, letter, { jobId: id, attempts: 1, removeOnComplete: true, removeOnFail: false });
  return id;
}

export interface StoredDeadLetter extends DeadLetter {
  id: string;
  deadLetteredAt: number;
}

function stored(job: Job): StoredDeadLetter | null {
  const parsed = deadLetterSchema.safeParse(job.data);
  return parsed.success ? { ...parsed.data, id: String(job.id), deadLetteredAt: job.timestamp } : null;
}

/** Dead letters never run, so they all wait (or sit paused); newest first. */
const PARKED = ['waiting', 'paused', 'prioritized', 'delayed'] as const;

export async function listDeadLetters(
  deadLetters: Queue,
  page: number,
  limit: number,
): Promise<Page<StoredDeadLetter>> {
  const start = (page - 1) * limit;
  const [jobs, total] = await Promise.all([
    deadLetters.getJobs([...PARKED], start, start + limit - 1, false),
    deadLetters.getJobCountByTypes(...PARKED),
  ]);
  const rows = jobs
    .filter((j): j is Job => Boolean(j))
    .map(stored)
    .filter((r): r is StoredDeadLetter => r !== null);
  return { rows, page, limit, total };
}

export async function getDeadLetter(
  deadLetters: Queue,
  id: string,
): Promise<{ job: Job; letter: StoredDeadLetter } | null> {
  const job = await deadLetters.getJob(id);
  const letter = job ? stored(job) : null;
  return job && letter ? { job, letter } : null;
}

/**
 * Re-adds the original job to its queue under a fresh id (the failed original keeps its
 * id, and BullMQ ignores a reused one), then removes the dead letter. The new id derives
 * from the dead letter, so a replay sent twice adds one job. Returns the new job's id, or
 * null when there is no such dead letter.
 */
export async function replayDeadLetter(
  queues: Queues,
  id: string,
): Promise<{ queue: WorkQueueName; jobId: string } | null> {
  const found = await getDeadLetter(queues['dead-letter'], id);
  if (!found) return null;
  const { job, letter } = found;
  const jobId = `replay-${safeId(id)}-${job.timestamp}`;
  await queues[letter.queue].add(letter.name, letter.data, { jobId });
  await job.remove();
  return { queue: letter.queue, jobId };
}
