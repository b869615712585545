import { UnrecoverableError, type Job } from 'bullmq';
import {
  CustomerServiceError,
  type CustomerServiceClient,
  type CustomerStatisticsBody,
} from '../clients/customer-service';
import { CUSTOMER_SYNC_JOB, requestCustomerSync } from '../queues/customer-sync';
import type { Queues } from '../queues/queues';
import { customerTotals, type CustomerTotals } from '../services/customer-stats/customer-totals';
import { recordCustomerSync } from '../services/customer-stats/sync-record';
import { toDecimal } from '../services/pricing';
import { eventOf, syncRequestOf } from './job-input';
import type { WorkerSettings } from './settings';

export interface CustomerStatsDeps {
  queues: Queues;
  customerService: CustomerServiceClient;
  settings: WorkerSettings;
}

export function statisticsBody(t: CustomerTotals, at = new Date()): CustomerStatisticsBody {
  return {
    totalOrders: t.totalOrders,
    totalSpent: toDecimal(t.totalValue),
    lastOrderDate: t.lastOrderDate?.toISOString() ?? null,
    ordersByStatus: t.ordersByStatus,
    calculatedAt: at.toISOString(),
  };
}

/**
 * customer-stats, in two steps on one queue: an order event asks for a debounced sync of
 * its customer (`customer.sync`); the sync recomputes the customer's absolute totals and
 * PATCHes them to the Customer Service. 4xx other than 408/429 fail at once; 5xx, 408,
 * 429 and timeouts are retried.
 */
export function customerStatsProcessor(deps: CustomerStatsDeps) {
  return async (job: Job): Promise<Record<string, unknown>> => {
    if (job.name === CUSTOMER_SYNC_JOB) {
      const { customerId } = await syncRequestOf(job);
      const readAt = new Date();
      const totals = await customerTotals(customerId);
      try {
        await deps.customerService.updateStatistics(customerId, statisticsBody(totals, readAt));
      } catch (err) {
        if (err instanceof CustomerServiceError && !err.retryable) throw new UnrecoverableError(err.message);
        throw err;
      }
      // What the reconciliation reads to know every event before `readAt` reached them.
      await recordCustomerSync(customerId, readAt);
      return { customerId, totalOrders: totals.totalOrders };
    }
    const ev = await eventOf(job);
    if (!ev.customerId) return { skipped: 'the order has no customer id' };
    await requestCustomerSync(
      deps.queues['customer-stats'],
      ev.customerId,
      ev.eventId,
      deps.settings.customerStatsDebounceMs,
    );
    return { syncRequested: ev.customerId };
  };
}
