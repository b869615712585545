import type { Attention } from '../../services/attention/overdue';
import { toDecimal } from '../../services/pricing';

/** Overdue work for the desk: each entry with how long it has waited, a page of each list. */
export function presentAttention(a: Attention) {
  const pages = (total: number) => ({
    currentPage: a.page,
    itemsPerPage: a.limit,
    totalItems: total,
    totalPages: Math.ceil(total / a.limit),
  });
  return {
    overdueOrders: a.overdueOrders.map(({ order, waitingHours }) => ({
      orderId: order.orderId,
      status: order.status,
      orderDate: order.orderDate,
      customerId: order.customerId ?? null,
      totalAmount: toDecimal(order.totalAmount),
      waitingSince: order.orderDate,
      waitingHours,
    })),
    overdueReturns: a.overdueReturns.map(({ request, waitingHours }) => ({
      returnId: request.returnId,
      orderId: request.orderIdString,
      reasonCategory: request.reasonCategory,
      requestedAt: request.requestedAt,
      waitingSince: request.requestedAt,
      waitingHours,
    })),
    counts: a.counts,
    pagination: { orders: pages(a.counts.orders), returns: pages(a.counts.returns) },
  };
}
