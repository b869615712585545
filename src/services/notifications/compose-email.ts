import { Types } from 'mongoose';
import { Order, ReturnRequest } from '../../models';
import type { OrderDoc } from '../order-state';
import type { ReturnRequestDoc } from '../../models/return-request';
import type { OutgoingMail } from '../../shared/messages';
import type { CommittedEvent } from '../committed-events';
import { NotFoundError } from '../../shared/errors';
import { htmlToText } from './html-to-text';
import { renderTemplate, type EmailTemplate } from './templates';
import { itemsOf } from '../orders/load-order';
import type { Attention } from '../attention/overdue';
import type { EventType } from '../../shared/names';

/** The message to send (the caller names its Message-ID), and what it is about. */
export interface ComposedEmail extends Omit<OutgoingMail, 'messageId'> {
  template: EmailTemplate;
  orderId: string;
}

const BRAND = 'RMAN E-Commerce';
const money = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
/** Minor units → `₹5,520.00`. */
export const formatMoney = (minor: number): string => money.format(minor / 100);
const dateFormat = new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const formatDate = (d: Date): string => `${dateFormat.format(d)} UTC`;

const TEMPLATE_OF: Record<EventType, EmailTemplate> = {
  'order.created': 'order-confirmation',
  'order.status_changed': 'status-update',
  'order.cancelled': 'cancellation',
  'return.requested': 'return-received',
  'return.reviewed': 'return-reviewed',
  'return.completed': 'return-completed',
  'order.shipment_updated': 'tracking-updated',
};

/**
 * The email an event sends to the customer, composed from the database: jobs carry ids
 * only, so names, addresses and amounts are read here (DESIGN.md 10).
 */
export async function composeEmail(ev: CommittedEvent): Promise<ComposedEmail> {
  // The event names the order's _id, so its items are read alongside it, not after it;
  // both through the driver, as lean reads (see load-order.ts).
  const orderRef = new Types.ObjectId(ev.orderRef);
  const [order, placedItems] = await Promise.all([
    Order.collection.findOne<OrderDoc>({ _id: orderRef }, { projection: { outbox: 0 } }),
    ev.type === 'order.created' ? itemsOf(orderRef) : null,
  ]);
  if (!order) throw new NotFoundError('Order');
  const template = TEMPLATE_OF[ev.type];
  const base = {
    brand: BRAND,
    customerName: order.customerName,
    orderId: order.orderId,
    orderDate: formatDate(order.orderDate),
    total: formatMoney(order.totalAmount),
  };
  let subject: string;
  let locals: Record<string, unknown>;
  switch (ev.type) {
    case 'order.created': {
      const items = placedItems ?? [];
      subject = `Order ${order.orderId} confirmed: ${base.total}`;
      locals = {
        items: items.map((i) => ({
          productName: i.productName,
          sku: i.sku,
          quantity: i.quantity,
          unitPrice: formatMoney(i.unitPrice),
          discount: formatMoney(i.discount),
          tax: formatMoney(i.tax),
          finalPrice: formatMoney(i.finalPrice),
        })),
        totals: {
          subtotal: formatMoney(items.reduce((s, i) => s + i.totalPrice, 0)),
          discount: formatMoney(items.reduce((s, i) => s + i.discount, 0)),
          tax: formatMoney(items.reduce((s, i) => s + i.tax, 0)),
          total: base.total,
        },
        itemCount: order.itemCount,
        address: order.deliveryAddress,
      };
      break;
    }
    case 'order.status_changed':
      subject = `Order ${order.orderId} is now ${ev.newStatus ?? order.status}`;
      locals = {
        previousStatus: ev.previousStatus ?? '—',
        newStatus: ev.newStatus ?? order.status,
        shipment: order.shipment ?? null,
      };
      break;
    case 'order.shipment_updated':
      subject = `Tracking updated for order ${order.orderId}`;
      locals = { shipment: order.shipment ?? null };
      break;
    case 'order.cancelled':
      subject = `Order ${order.orderId} cancelled`;
      locals = { reason: order.cancellationReason };
      break;
    case 'return.requested': {
      const ret = await loadReturn(ev.returnId);
      subject = `Return ${ret.returnId} received for order ${order.orderId}`;
      locals = {
        returnId: ret.returnId,
        returnItems: ret.items.map((i) => ({ productName: i.productName, quantity: i.quantity })),
        reason: ret.reason,
      };
      break;
    }
    case 'return.reviewed': {
      const ret = await loadReturn(ev.returnId);
      const approved = ret.status === 'Approved' || ret.status === 'Completed';
      subject = `Return ${ret.returnId} ${approved ? 'approved' : 'not approved'}`;
      locals = {
        returnId: ret.returnId,
        approved,
        refundAmount: formatMoney(ret.refundAmount ?? 0),
        notes: ret.approvalNotes,
      };
      break;
    }
    case 'return.completed': {
      const ret = await loadReturn(ev.returnId);
      subject = `Return ${ret.returnId} completed`;
      locals = { returnId: ret.returnId, refundAmount: ret.refundAmount ? formatMoney(ret.refundAmount) : null };
      break;
    }
  }
  const html = renderTemplate(template, { ...base, ...locals, subject });
  return { template, orderId: order.orderId, to: order.customerEmail, subject, html, text: htmlToText(html) };
}

async function loadReturn(returnId: string | null): Promise<ReturnRequestDoc> {
  const ret = returnId ? await ReturnRequest.findOne({ returnId }).lean<ReturnRequestDoc>() : null;
  if (!ret) throw new NotFoundError('Return request', 'returnId');
  return ret;
}

/** The operators' daily digest of overdue work (OPS_EMAIL). */
export function composeOverdueDigest(
  a: Attention,
  fulfilmentHours: number,
  reviewHours: number,
): Omit<OutgoingMail, 'to' | 'messageId'> {
  const subject = `Overdue: ${a.counts.orders} order(s), ${a.counts.returns} return request(s)`;
  const html = renderTemplate('overdue-digest', {
    brand: BRAND,
    subject,
    counts: a.counts,
    fulfilmentHours,
    reviewHours,
    orders: a.overdueOrders.map(({ order, waitingHours }) => ({
      orderId: order.orderId,
      status: order.status,
      orderDate: formatDate(order.orderDate),
      waitingHours,
    })),
    returns: a.overdueReturns.map(({ request, waitingHours }) => ({
      returnId: request.returnId,
      orderId: request.orderIdString,
      requestedAt: formatDate(request.requestedAt),
      waitingHours,
    })),
  });
  return { subject, html, text: htmlToText(html) };
}
