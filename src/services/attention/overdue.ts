import { AttentionCheck, Order, ReturnRequest } from '../../models';
import type { AttentionCheckDoc } from '../../models/attention-check';
import { insertOnce } from '../../models/insert-once';
import type { ReturnRequestDoc } from '../../models/return-request';
import type { OrderDoc } from '../order-state';
import type { OrderStatus } from '../../shared/names';
import type { ServiceSettings } from '../settings';

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

/** The service levels overdue work is measured against, and who hears of it. */
export type AttentionSettings = Pick<
  ServiceSettings,
  'FULFILMENT_SLA_HOURS' | 'RETURN_REVIEW_SLA_HOURS' | 'OPS_EMAIL' | 'EMAIL_CLAIM_LOCK_MS'
>;
type Slas = Pick<AttentionSettings, 'FULFILMENT_SLA_HOURS' | 'RETURN_REVIEW_SLA_HOURS'>;

const hoursAgo = (hours: number, now: number) => new Date(now - hours * 3600_000);
const waited = (since: Date, now: number) => Math.floor((now - since.getTime()) / 360_000) / 10;

/** How many orders and return requests are overdue now (equality on status, then the age). */
export async function countOverdue(slas: Slas, now = Date.now()): Promise<{ orders: number; returns: number }> {
  const orderCutoff = hoursAgo(slas.FULFILMENT_SLA_HOURS, now);
  const counts = await Promise.all(
    UNSHIPPED.map((status) => Order.countDocuments({ status, orderDate: { $lt: orderCutoff } })),
  );
  const returns = await ReturnRequest.countDocuments({
    status: 'Pending',
    requestedAt: { $lt: hoursAgo(slas.RETURN_REVIEW_SLA_HOURS, now) },
  });
  return { orders: counts.reduce((a, b) => a + b, 0), returns };
}

/**
 * Work left too long, oldest first, a page of each: orders not shipped FULFILMENT_SLA_HOURS
 * after they were placed, return requests not reviewed RETURN_REVIEW_SLA_HOURS after they
 * were made, each with how long it has waited.
 */
export async function findOverdue(q: AttentionQuery, slas: Slas, now = Date.now()): Promise<Attention> {
  const orderCutoff = hoursAgo(slas.FULFILMENT_SLA_HOURS, now);
  const fields = { orderId: 1, status: 1, orderDate: 1, customerId: 1, totalAmount: 1 };
  // One query per status (equality reaches PostgreSQL on FerretDB), merged oldest first;
  // the returns and the counts alongside.
  const upTo = q.page * q.limit;
  const [perStatus, requests, counts] = await Promise.all([
    Promise.all(
      UNSHIPPED.map((status) =>
        Order.find({ status, orderDate: { $lt: orderCutoff } }, fields)
          .sort({ orderDate: 1, _id: 1 })
          .limit(upTo)
          .lean<OverdueOrder['order'][]>(),
      ),
    ),
    ReturnRequest.find(
      { status: 'Pending', requestedAt: { $lt: hoursAgo(slas.RETURN_REVIEW_SLA_HOURS, now) } },
      { returnId: 1, orderIdString: 1, requestedAt: 1, reasonCategory: 1 },
    )
      .sort({ requestedAt: 1, _id: 1 })
      .skip(upTo - q.limit)
      .limit(q.limit)
      .lean<OverdueReturn['request'][]>(),
    countOverdue(slas, now),
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
  /** This check sent the day's digest. */
  digestSent: boolean;
}

/** Sends the digest of `day` (YYYY-MM-DD, UTC); throws when it could not. */
export type SendDigest = (digest: Attention, day: string) => Promise<void>;

const digestId = (day: string) => `digest:${day}`;
type Claim = Pick<AttentionCheckDoc, 'at' | 'sentAt'>;

/**
 * Whether a day's claim still stands: sent (a claim without `sentAt` was made before it was
 * kept, and only once sent), or being sent by a check that may still be at it. A claim whose
 * check died while sending has no `sentAt` after EMAIL_CLAIM_LOCK_MS (the time a send may
 * take): it has lapsed, so the digest is not lost.
 */
const stands = (claim: Claim, lockMs: number) => claim.sentAt !== null || claim.at.getTime() > Date.now() - lockMs;

/**
 * Claims the day's digest for this check by a unique insert (of two checks one sends it),
 * after removing a lapsed claim. (Two checks that find one lapsed claim at once may both
 * send it, with one Message-ID.)
 */
async function claimDigest(
  day: string,
  lapsed: Claim | null,
  counts: { orders: number; returns: number },
): Promise<boolean> {
  if (lapsed) await AttentionCheck.deleteOne({ _id: digestId(day), at: lapsed.at });
  // `at` is when the claim was taken: its lapse counts from there.
  return insertOnce(AttentionCheck, { _id: digestId(day), ...counts, at: new Date(), sentAt: null });
}

/**
 * The scheduled check: counts what is overdue, keeps it for the gauge, and once a day (UTC)
 * when anything is overdue and OPS_EMAIL is set, sends the digest through `send`. The day is
 * claimed only once the digest is read, and the claim is released when anything after it
 * fails (or lapses when the check dies), so the next check sends the day's digest: once,
 * never lost.
 */
export async function checkOverdue(
  send: SendDigest,
  settings: AttentionSettings,
  now = Date.now(),
): Promise<CheckOutcome> {
  const counts = await countOverdue(settings, now);
  const day = new Date(now).toISOString().slice(0, 10);
  await AttentionCheck.updateOne({ _id: 'latest' }, { $set: { ...counts, at: new Date(now) } }, { upsert: true });
  const none = { ...counts, digestSent: false };
  if (!settings.OPS_EMAIL || counts.orders + counts.returns === 0) return none;
  // Most checks of a day find it sent: they read no digest.
  const claim = await AttentionCheck.findById(digestId(day), { at: 1, sentAt: 1 }).lean<Claim>();
  if (claim && stands(claim, settings.EMAIL_CLAIM_LOCK_MS)) return none;
  const digest = await findOverdue({ page: 1, limit: 50 }, settings, now);
  if (!(await claimDigest(day, claim, counts))) return none;
  try {
    await send(digest, day);
  } catch (err) {
    // Should the release fail too, the claim lapses.
    await releaseDigest(day).catch(() => undefined);
    throw err;
  }
  // Failing here leaves the claim to lapse: the digest would be sent again, with its Message-ID.
  await AttentionCheck.updateOne({ _id: digestId(day) }, { $set: { sentAt: new Date() } });
  return { ...counts, digestSent: true };
}

/** A digest that could not be sent is tried again at the next check. */
async function releaseDigest(day: string): Promise<void> {
  await AttentionCheck.deleteOne({ _id: digestId(day), sentAt: null });
}
