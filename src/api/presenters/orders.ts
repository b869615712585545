import type { OrderDoc } from '../../services/order-state';
import type { OrderHistoryDoc } from '../../models/order-history';
import type { OrderItemDoc } from '../../models/order-item';
import type { DeletedOrder } from '../../services/admin/delete-order';
import type { OrderWithItems } from '../../services/orders/create-order';
import type { Page } from '../../services/pagination';
import { presentPagination } from './pagination';
import { toDecimal } from '../../services/pricing';
import type { Shipment } from '../../services/orders/shipment';

/** How orders look on the wire (guide section 4): decimals for money, ISO dates. */

export function presentItem(item: OrderItemDoc) {
  return {
    itemId: item._id.toHexString(),
    productId: item.productId,
    productName: item.productName,
    productDescription: item.productDescription ?? undefined,
    sku: item.sku ?? undefined,
    quantity: item.quantity,
    unitPrice: toDecimal(item.unitPrice),
    totalPrice: toDecimal(item.totalPrice),
    discount: toDecimal(item.discount),
    tax: toDecimal(item.tax),
    finalPrice: toDecimal(item.finalPrice),
    ...(item.returnRequested
      ? { returnRequested: true, returnQuantity: item.returnQuantity, returnReason: item.returnReason }
      : {}),
  };
}

export function presentOrder(order: OrderDoc, items: OrderItemDoc[]) {
  return {
    orderId: order.orderId,
    userId: order.userId,
    customerId: order.customerId ?? undefined,
    customerEmail: order.customerEmail,
    customerName: order.customerName,
    ...placement(order),
    deliveryAddress: order.deliveryAddress,
    items: items.map(presentItem),
    notes: order.notes ?? undefined,
    cancellationReason: order.cancellationReason ?? undefined,
    cancelledBy: order.cancelledBy ?? undefined,
    cancelledAt: order.cancelledAt ?? undefined,
    returnReason: order.returnReason ?? undefined,
    returnRequestedAt: order.returnRequestedAt ?? undefined,
    returnApproved: order.returnApproved ?? undefined,
    metadata: order.metadata ? { platform: order.metadata.platform } : undefined,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    updatedBy: order.updatedBy ?? undefined,
  };
}

/** When it was placed, where it stands, what it is worth: in every view of an order. */
const placement = (order: OrderDoc) => ({
  orderDate: order.orderDate,
  status: order.status,
  totalAmount: toDecimal(order.totalAmount),
  itemCount: order.itemCount,
  shipment: presentShipment(order.shipment),
});

/** Carrier and tracking once shipped; null before. */
export const presentShipment = (
  s: (Omit<Shipment, 'trackingUrl'> & { trackingUrl?: string | null }) | null | undefined,
) =>
  s
    ? {
        carrier: s.carrier,
        trackingNumber: s.trackingNumber,
        trackingUrl: s.trackingUrl ?? null,
        shippedAt: s.shippedAt,
      }
    : null;

export function presentOrderSummary(order: OrderDoc) {
  return {
    orderId: order.orderId,
    ...placement(order),
    deliveryAddress: { city: order.deliveryAddress?.city, state: order.deliveryAddress?.state },
  };
}

/** An order with its items, as placed, read or edited (guide 4.1, 4.3). */
export const presentPlacedOrder = ({ order, items }: OrderWithItems) => presentOrder(order, items);

/** A page of order summaries: "my orders", a customer's orders. */
export const presentOrderPage = (page: Page<OrderDoc>) => ({
  orders: page.rows.map(presentOrderSummary),
  pagination: presentPagination(page),
});

/** What a deletion took with it (guide 3.2.5). */
export const presentDeletion = (d: DeletedOrder) => ({
  orderId: d.orderId,
  deleted: { items: d.items, history: d.history, returns: d.returns },
});

/** The answer to a tracking correction. */
export const presentShipmentChange = (order: OrderDoc) => ({
  orderId: order.orderId,
  status: order.status,
  shipment: presentShipment(order.shipment),
  updatedAt: order.updatedAt,
});

/** The answer to a cancellation (guide 4.4). */
export function presentCancellation(order: OrderDoc) {
  return {
    orderId: order.orderId,
    status: order.status,
    cancellationReason: order.cancellationReason,
    cancelledBy: order.cancelledBy,
    cancelledAt: order.cancelledAt,
  };
}

export const presentHistory = ({ orderId, history }: { orderId: string; history: OrderHistoryDoc[] }) => ({
  orderId,
  history: history.map(presentHistoryEntry),
});

function presentHistoryEntry(h: OrderHistoryDoc) {
  return {
    previousStatus: h.previousStatus,
    newStatus: h.newStatus,
    changedBy: h.changedBy,
    changedByRole: h.changedByRole,
    changedByName: h.changedByName,
    notes: h.notes,
    ...(h.shipment && { shipment: presentShipment(h.shipment) }),
    timestamp: h.timestamp,
  };
}
