import { config } from '../../config';
import { AttentionCheck, Order, ReturnRequest } from '../../models';
import type { AttentionCheckDoc } from '../../models/attention-check';
import { insertOnce } from '../../models/insert-once';
import type { ReturnRequestDoc } from '../../models/return-request';
import type { OrderDoc, OrderStatus } from '../order-state';

/** Statuses of an order not yet shipped. */
const UNSHIPPED: readonly OrderStatus[] = ['Placed', 'Processing'];

export interface AttentionQuery {
  page: number;
  limit: number;
}

export interface OverdueOrder {
  order: Pick<OrderDoc, 'orderId' | 'status' | 'orderDate' | 'customerId' | 'totalAmount'>;
  waitingHours: number;
}

export interface OverdueReturn {
  request: Pick<ReturnRequestDoc, 'returnId' | 'orderIdString' | 'requestedAt' | 'reasonCategory'>;
  waitingHours: number;
}

export interface Attention {
  overdueOrders: OverdueOrder[];
  overdueReturns: OverdueReturn[];
  counts: { orders: number; returns: number };
  page: number;
  limit: number;
}

const hoursAgo = (hours: number, now: number) => new Date(now - hours * 3600_000);
const waited = (since: Date, now: number) => Math.floor((now - since.getTime()) / 360_000) / 10;

/** How many orders and return requests are overdue now (equality on status, then the age). */
export async function countOverdue(now = Date.now()): Promise<{ orders: number; returns: number }> {
  const orderCutoff = hoursAgo(config.FULFILMENT_SLA_HOURS, now);
  const counts = await Promise.all(UNSHIPPED.map((status) => Order.countDocuments({ status, orderDate: { $lt: orderCutoff } })));
  const returns = await ReturnRequest.countDocuments({ status: 'Pending', requestedAt: { $lt: hoursAgo(config.RETURN_REVIEW_SLA_HOURS, now) } });
  return { orders: counts.reduce((a, b) => a + b, 0), returns };
}

/**
 * Work left too long, oldest first, a page of each: orders not shipped FULFILMENT_SLA_HOURS
 * after they were placed, return requests not reviewed RETURN_REVIEW_SLA_HOURS after they
 * were made, each with how long it has waited.
 */
export async function findOverdue(q: AttentionQuery, now = Date.now()): Promise<Attention> {
  const orderCutoff = hoursAgo(config.FULFILMENT_SLA_HOURS, now);
  const fields = { orderId: 1, status: 1, orderDate: 1, customerId: 1, totalAmount: 1 };
  // One query per status (equality reaches PostgreSQL on FerretDB), merged oldest first;
  // the returns and the counts alongside.
  const upTo = q.page * q.limit;
  const [perStatus, requests, counts] = await Promise.all([
    Promise.all(UNSHIPPED.map((status) => Order.find({ status, orderDate: { $lt: orderCutoff } }, fields).sort({ orderDate: 1, _id: 1 }).limit(upTo).lean<OverdueOrder['order'][]>())),
    ReturnRequest.find({ status: 'Pending', requestedAt: { $lt: hoursAgo(config.RETURN_REVIEW_SLA_HOURS, now) } }, { returnId: 1, orderIdString: 1, requestedAt: 1, reasonCategory: 1 })
      .sort({ requestedAt: 1, _id: 1 })
      .skip(upTo - q.limit)
      .limit(q.limit)
      .lean<OverdueReturn['request'][]>(),
    countOverdue(now),
  ]);
  const orders = perStatus
    .flat()
    .sort((a, b) => a.orderDate.getTime() - b.orderDate.getTime())
    .slice(upTo - q.limit, upTo);
  return {
    overdueOrders: orders.map((order) => ({ order, waitingHours: waited(order.orderDate, now) })),
    overdueReturns: requests.map((request) => ({ request, waitingHours: waited(request.requestedAt, now) })),
    counts,
    page: q.page,
    limit: q.limit,
  };
}

/** What the last scheduled check found (zeros before the first). */
export async function lastCheck(): Promise<{ orders: number; returns: number }> {
  const doc = await AttentionCheck.findById('latest').lean<AttentionCheckDoc>();
  return { orders: doc?.orders ?? 0, returns: doc?.returns ?? 0 };
}

export interface CheckOutcome {
  orders: number;
  returns: number;
  /** The digest to send now: the first check of the day that found anything, when OPS_EMAIL is set. */
  digest: Attention | null;
  /** The UTC day (YYYY-MM-DD) the digest is claimed for. */
  day: string;
}

/**
 * The scheduled check: counts what is overdue, keeps it for the gauge, and once a day (UTC)
 * when anything is overdue hands back the digest to send (claimed for the day by a unique
 * insert: of two checks one sends it).
 */
export async function checkOverdue(now = Date.now()): Promise<CheckOutcome> {
  const counts = await countOverdue(now);
  const day = new Date(now).toISOString().slice(0, 10);
  await AttentionCheck.updateOne({ _id: 'latest' }, { $set: { ...counts, at: new Date(now) } }, { upsert: true });
  if (!config.OPS_EMAIL || counts.orders + counts.returns === 0) return { ...counts, digest: null, day };
  if (!(await insertOnce(AttentionCheck, { _id: `digest:${day}`, ...counts, at: new Date(now) }))) return { ...counts, digest: null, day };
  return { ...counts, digest: await findOverdue({ page: 1, limit: 50 }, now), day };
}

/** A digest that could not be sent is tried again at the next check. */
export async function releaseDigest(day: string): Promise<void> {
  await AttentionCheck.deleteOne({ _id: `digest:${day}` });
}
