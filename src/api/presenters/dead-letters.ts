import type { StoredDeadLetter } from '../../queues/dead-letter';
import type { Page } from '../../services/pagination';
import { presentPagination } from './pagination';

const iso = (ms: number) => new Date(ms).toISOString();

export function presentDeadLetter(d: StoredDeadLetter) {
  return {
    id: d.id,
    queue: d.queue,
    jobId: d.jobId,
    name: d.name,
    data: d.data,
    failedReason: d.failedReason,
    attemptsMade: d.attemptsMade,
    createdAt: iso(d.createdAt),
    processedAt: d.processedAt === null ? null : iso(d.processedAt),
    failedAt: iso(d.failedAt),
    deadLetteredAt: iso(d.deadLetteredAt),
  };
}

export const presentDeadLetterPage = (page: Page<StoredDeadLetter>) => ({
  deadLetters: page.rows.map(presentDeadLetter),
  pagination: presentPagination(page),
});
