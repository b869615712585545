import { withLease } from '../../models/lease';
import { WebhookDeliveryLock } from '../../models/webhook-delivery-lock';
import { ConflictError } from '../../shared/errors';

/** Far longer than the one update made under it; the wait is longer than the lease, so a lease its holder died with is always taken over. */
const TERMS = {
  leaseMs: 5_000,
  waitMs: 10_000,
  busy: () => new ConflictError('The delivery is being written by another attempt; retry shortly', 'deliveryId'),
};

/**
 * Runs `fn` while holding the delivery's lease, so the writes of one row of the deliveries
 * log happen one at a time. The rule they keep (a failure never overwrites a success) is a
 * filter on the row's status, and FerretDB v1 applies a filtered update as read, modify,
 * write back the whole document: a failure that read the row before a success was written
 * would write it back over the success. Inside the lease a read sees every earlier write, so
 * the filter holds on FerretDB as it does on MongoDB. The same way as withOrderLock
 * (services/order-write.ts) keeps an order's writes apart.
 */
export function withDeliveryLock<T>(deliveryId: string, fn: () => Promise<T>): Promise<T> {
  return withLease(WebhookDeliveryLock, deliveryId, TERMS, fn);
}
