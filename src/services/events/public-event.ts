import type { OrderEventDoc } from '../../models/order-event';
import { toDecimal } from '../pricing';
import type { PublicEventData } from '../../shared/messages';

export interface PublicEvent {
  id: string;
  type: string;
  occurredAt: string;
  orderId: string;
  returnId: string | null;
  data: PublicEventData;
}

/**
 * A recorded event as other services see it: ids, statuses and amounts, never a name, an
 * email or an address (they ask the order for those, with their own rights).
 */
export function publicEventOf(
  doc: Pick<
    OrderEventDoc,
    '_id' | 'type' | 'occurredAt' | 'orderId' | 'customerId' | 'newStatus' | 'previousStatus' | 'returnId' | 'details'
  >,
): PublicEvent {
  const details = doc.details ?? {};
  const returnId = doc.returnId ?? null;
  return {
    id: doc._id,
    type: doc.type,
    occurredAt: doc.occurredAt.toISOString(),
    orderId: doc.orderId,
    returnId,
    data: {
      orderId: doc.orderId,
      customerId: doc.customerId ?? null,
      // An event that changes no status (an approved return's review) reports the order's.
      status: doc.newStatus ?? details.orderStatus ?? null,
      previousStatus: doc.previousStatus ?? null,
      totals: {
        totalAmount: typeof details.totalAmount === 'number' ? toDecimal(details.totalAmount) : null,
        itemCount: details.itemCount ?? null,
      },
      return: returnId
        ? { returnId, decision: details.decision ?? null, reasonCategory: details.reasonCategory ?? null }
        : null,
    },
  };
}
