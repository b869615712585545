import type { WorkQueueName } from '../shared/names';

/** Why a job was completed without doing its work: the `reason` of orms_jobs_skipped_total. */
export type SkipReason = 'order-deleted' | 'subscription-deleted';

/**
 * Thrown by a processor whose job has nothing left to do because what it was for was
 * deleted after it was queued: the order of its event, the subscription of its delivery.
 * The queue worker completes such a job as skipped, counts and logs it. It is no failure:
 * retrying could not change it, and a dead letter would ask an operator to act where there
 * is nothing to act on.
 */
export class JobSkipped extends Error {
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
    this.name = 'JobSkipped';
  }
}

/**
 * The reasons for which jobs of each queue are skipped: every event job when its order was
 * deleted since, and on `webhooks` also a delivery whose subscription was deleted since.
 */
const SKIPS: Record<WorkQueueName, readonly SkipReason[]> = {
  emails: ['order-deleted'],
  'customer-stats': ['order-deleted'],
  analytics: ['order-deleted'],
  refunds: ['order-deleted'],
  webhooks: ['order-deleted', 'subscription-deleted'],
  bulk: [],
  exports: [],
  upkeep: [],
};

export const skipReasonsOf = (queue: WorkQueueName): readonly SkipReason[] => SKIPS[queue];
