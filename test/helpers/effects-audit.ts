import { isDeepStrictEqual } from 'node:util';
import request from 'supertest';
import { EmailDelivery, Order, OrderEvent, OrderHistory, Refund, ReturnRequest } from '../../src/models';
import { customerTotals } from '../../src/services/customer-stats/customer-totals';
import { toDecimal } from '../../src/services/pricing';
import { recomputeAnalytics } from './analytics-recompute';
import type { TestApp } from './test-app';
import { as } from './tokens';
import { WORK_QUEUE_NAMES } from '../../src/shared/names';

export interface EffectsAudit {
  /** Events the committed changes recorded. */
  events: number;
  /** Everything that is not exactly once, one line each; empty when all is well. */
  problems: string[];
  /** Statistics the Customer Service accepted, per customer. */
  statisticsCalls: Record<string, number>;
}

/**
 * Holds every effect of every recorded event against the database, from the outside:
 * one history row per status change, one email per event (by its Message-ID), each
 * customer's last accepted statistics equal to a recomputation, the analytics report equal
 * to a recomputation, one ledger entry per approved return, and no job failed or
 * dead-lettered. Needs the app's SMTP server and Customer Service.
 */
export async function auditEffects(t: TestApp): Promise<EffectsAudit> {
  const problems: string[] = [];
  const events = await OrderEvent.find({}, { newStatus: 1, customerId: 1 }).lean();

  const rows = new Map<string, number>();
  for (const h of await OrderHistory.find({}, { eventId: 1 }).lean())
    rows.set(h.eventId, (rows.get(h.eventId) ?? 0) + 1);
  for (const e of events.filter((e) => e.newStatus))
    if (rows.get(e._id) !== 1) problems.push(`event ${e._id}: ${rows.get(e._id) ?? 0} history rows`);
  const orders = await Order.countDocuments();
  const placed = await OrderHistory.countDocuments({ previousStatus: null });
  if (placed !== orders) problems.push(`${orders} orders, ${placed} first history rows`);

  const copies = new Map<string, number>();
  for (const m of t.smtp.received) {
    const eventId = /^<([^@]+)@/.exec(m.messageId)?.[1] ?? m.messageId;
    copies.set(eventId, (copies.get(eventId) ?? 0) + 1);
  }
  for (const e of events) {
    if (copies.get(e._id) === 1) continue;
    // With its delivery row, so a failure tells which path sent it twice or never.
    const row = await EmailDelivery.findById(e._id, { state: 1, attempts: 1, maybeSent: 1, lastError: 1 }).lean();
    problems.push(`event ${e._id}: ${copies.get(e._id) ?? 0} emails (delivery row ${JSON.stringify(row)})`);
  }
  for (const id of copies.keys()) if (!events.some((e) => e._id === id)) problems.push(`an email of no event: ${id}`);

  const statisticsCalls: Record<string, number> = {};
  const customers = [...new Set(events.map((e) => e.customerId).filter((c): c is string => Boolean(c)))];
  for (const customerId of customers) {
    const accepted = t.customers.successes(customerId);
    statisticsCalls[customerId] = accepted.length;
    const last = accepted.at(-1)?.body;
    const expected = await customerTotals(customerId);
    if (last?.totalOrders !== expected.totalOrders || last?.totalSpent !== toDecimal(expected.totalValue)) {
      problems.push(
        `customer ${customerId}: last statistics ${JSON.stringify(last ?? null)}, expected ${expected.totalOrders} orders, ${toDecimal(expected.totalValue)} spent`,
      );
    }
  }

  const analytics = await request(t.app).get('/api/orders/analytics').set(as('admin'));
  const recomputed = { period: { from: null, to: null }, ...(await recomputeAnalytics()) };
  if (!isDeepStrictEqual(analytics.body.data, recomputed))
    problems.push(
      `analytics ${JSON.stringify(analytics.body.data)} differs from a recomputation ${JSON.stringify(recomputed)}`,
    );

  for (const r of await ReturnRequest.find({ status: { $in: ['Approved', 'Completed'] } }, { returnId: 1 }).lean()) {
    const entries = await Refund.countDocuments({ returnId: r.returnId });
    if (entries !== 1) problems.push(`return ${r.returnId}: ${entries} refund entries`);
  }

  for (const q of WORK_QUEUE_NAMES) {
    const failed = await t.queues[q].getJobCountByTypes('failed');
    if (failed) problems.push(`${failed} failed jobs in ${q}`);
  }
  // Named, so a failure says which job gave up and why.
  for (const letter of await t.queues['dead-letter'].getJobs(['waiting', 'paused', 'delayed', 'prioritized'])) {
    const { queue, jobId, name, failedReason, attemptsMade } = letter.data as {
      queue: string;
      jobId: string;
      name: string;
      failedReason: string;
      attemptsMade: number;
    };
    problems.push(`dead letter: ${queue} job ${jobId} (${name}) after ${attemptsMade} attempts: ${failedReason}`);
  }
  return { events: events.length, problems, statisticsCalls };
}
