import { randomBytes } from 'node:crypto';
import { BulkOperation, Order, OrderEvent } from '../../models';
import type { BulkOperationDoc, BulkOutcome, BulkResult } from '../../models/bulk-operation';
import type { OrderEventDoc } from '../../models/order-event';
import { updateOrderStatus } from '../admin/update-order-status';
import type { ServiceDeps } from '../deps';
import { DomainError, NotFoundError } from '../../shared/errors';
import { keyedEventId } from '../order-events';
import { type OrderDoc } from '../order-state';
import type { Principal } from '../principal';
import { EVENT_TYPES, ORDER_STATUSES, type OrderStatus } from '../../shared/names';

export interface BulkStatusInput {
  orderIds: string[];
  status: OrderStatus;
  notes?: string;
}

/** Records a bulk change (each id once, in the order given); its worker does the changes. */
export async function createBulkStatusChange(principal: Principal, input: BulkStatusInput): Promise<BulkOperationDoc> {
  const doc = await BulkOperation.create({
    _id: `blk_${randomBytes(12).toString('hex')}`,
    status: input.status,
    notes: input.notes || null,
    orderIds: [...new Set(input.orderIds)],
    createdBy: principal.userId,
    createdByName: principal.name ?? null,
  });
  return doc.toObject<BulkOperationDoc>();
}

/** Who asked for the change, as its job runs it. */
export function requesterOf(op: Pick<BulkOperationDoc, 'createdBy' | 'createdByName'>): Principal {
  return { userId: op.createdBy, role: 'Administrator', ...(op.createdByName && { name: op.createdByName }) };
}

export async function getBulkOperation(bulkId: string): Promise<BulkOperationDoc> {
  const doc = await BulkOperation.findById(bulkId).lean<BulkOperationDoc>();
  if (!doc) throw new NotFoundError('Bulk operation', 'bulkId');
  return doc;
}

/** A domain error as a bulk outcome: what a single change would have answered, per order. */
function outcomeOf(err: DomainError): BulkOutcome {
  if (err.kind === 'not_found') return 'not_found';
  if (err.kind === 'conflict') return 'conflict';
  return 'invalid_transition';
}

/** Names the change of one order by one bulk operation: its event's id derives from it. */
const changeKeyOf = (bulkId: string, orderId: string) => `${bulkId}/${orderId}`;

/**
 * The status an order had before this bulk operation changed it, if it did: a run that died
 * between the change and writing its outcome left the change's event (keyed by the operation
 * and the order), in the order's outbox or, once relayed, recorded. Null when the operation
 * never changed it (someone else moved it to the status asked for).
 */
async function changedEarlier(bulkId: string, orderId: string): Promise<string | null> {
  const ids = new Set(EVENT_TYPES.map((type) => keyedEventId(changeKeyOf(bulkId, orderId), type)));
  const order = await Order.findOne({ orderId }, { _id: 1, outbox: 1 }).lean<Pick<OrderDoc, '_id' | 'outbox'>>();
  if (!order) return null;
  const pending = order.outbox.find((e) => ids.has(e.eventId));
  if (pending) return pending.change?.previousStatus ?? 'unknown';
  const recorded = await OrderEvent.find({ orderRef: order._id }, { _id: 1, previousStatus: 1 }).lean<
    Pick<OrderEventDoc, '_id' | 'previousStatus'>[]
  >();
  const mine = recorded.find((e) => ids.has(e._id));
  return mine ? (mine.previousStatus ?? 'unknown') : null;
}

/**
 * One order's change by a bulk operation, through the same use case as a single change
 * (state machine, compare-and-set, history, email, statistics), and its outcome: what a
 * single change would have answered, except that an order this operation changed already (a
 * run that died before writing the outcome) is `updated`, and one someone else moved to the
 * status asked for is not.
 */
export async function changeOneOrder(
  deps: ServiceDeps,
  principal: Principal,
  op: Pick<BulkOperationDoc, '_id' | 'status' | 'notes'>,
  orderId: string,
): Promise<BulkResult> {
  const status = ORDER_STATUSES.find((known) => known === op.status);
  if (!status) return { orderId, outcome: 'invalid_transition', message: `'${op.status}' is not an order status` };
  try {
    const input = { status, ...(op.notes && { notes: op.notes }) };
    const change = await updateOrderStatus(deps, principal, orderId, input, {
      changeKey: changeKeyOf(op._id, orderId),
    });
    return { orderId, outcome: 'updated', message: `${change.previousStatus} → ${change.newStatus}` };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const earlier = outcomeOf(err) === 'invalid_transition' ? await changedEarlier(op._id, orderId) : null;
    return earlier
      ? { orderId, outcome: 'updated', message: `${earlier} → ${op.status}` }
      : { orderId, outcome: outcomeOf(err), message: err.errors[0]?.message ?? err.message };
  }
}

/**
 * Applies a bulk change one order at a time, writing each outcome as it goes and reporting
 * progress. A run that starts again after a crash skips the orders whose outcome is written.
 * Errors other than the domain's (the database gone) stop the run, to be retried. `jobId` is
 * the job running it, kept so the reconciliation can tell when that job is gone.
 */
export async function runBulkStatusChange(
  deps: ServiceDeps,
  principal: Principal,
  bulkId: string,
  onProgress: (done: number, total: number) => Promise<void>,
  jobId: string = bulkId,
): Promise<BulkOperationDoc> {
  const op = await getBulkOperation(bulkId);
  const done = new Set(op.results.map((r) => r.orderId));
  await BulkOperation.updateOne({ _id: bulkId }, { $set: { state: 'running', jobId } });
  for (const orderId of op.orderIds) {
    if (done.has(orderId)) continue;
    const result = await changeOneOrder(deps, principal, op, orderId);
    await BulkOperation.updateOne({ _id: bulkId }, { $push: { results: result } });
    done.add(orderId);
    await onProgress(done.size, op.orderIds.length);
  }
  await BulkOperation.updateOne({ _id: bulkId }, { $set: { state: 'completed', finishedAt: new Date() } });
  return getBulkOperation(bulkId);
}

/** A bulk change whose job failed for good. */
export async function failBulkOperation(bulkId: string, reason: string): Promise<void> {
  await BulkOperation.updateOne({ _id: bulkId }, { $set: { state: 'failed', error: reason, finishedAt: new Date() } });
}
