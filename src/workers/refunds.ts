import { UnrecoverableError, type Job } from 'bullmq';
import { completeRefund, recordApprovedRefund } from '../services/refunds/settle-refund';
import { eventOf } from './job-input';

/**
 * refunds: an approved return gets one ledger entry and refundStatus Processed;
 * return.completed makes it Completed. Both are keyed by the return, so reruns add nothing.
 */
export function refundsProcessor() {
  return async (job: Job): Promise<{ outcome: string }> => {
    const ev = await eventOf(job);
    if (ev.type !== 'return.reviewed' && ev.type !== 'return.completed') return { outcome: 'ignored' };
    if (!ev.returnId) throw new UnrecoverableError(`${ev.type} without a returnId`);
    const outcome =
      ev.type === 'return.reviewed'
        ? await recordApprovedRefund(ev.returnId, ev.eventId)
        : await completeRefund(ev.returnId, ev.eventId);
    return { outcome };
  };
}
