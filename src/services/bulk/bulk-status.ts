import { randomBytes } from 'node:crypto';
import { BulkOperation, Order } from '../../models';
import type { BulkOperationDoc, BulkOutcome, BulkResult } from '../../models/bulk-operation';
import { updateOrderStatus } from '../admin/update-order-status';
import type { ServiceDeps } from '../deps';
import { DomainError, NotFoundError } from '../errors';
import type { OrderStatus } from '../order-state';
import type { Principal } from '../principal';

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
  });
  return doc.toObject<BulkOperationDoc>();
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

/**
 * Applies a bulk change one order at a time, each through the same use case as a single
 * change (state machine, compare-and-set, history, email, statistics), writing each
 * outcome as it goes and reporting progress. A run that starts again after a crash skips
 * the orders whose outcome is written. Errors other than the domain's (the database gone)
 * stop the run, to be retried.
 */
export async function runBulkStatusChange(
  deps: ServiceDeps,
  principal: Principal,
  bulkId: string,
  onProgress: (done: number, total: number) => Promise<void>,
): Promise<BulkOperationDoc> {
  const op = await getBulkOperation(bulkId);
  const done = new Set(op.results.map((r) => r.orderId));
  // A run before this one died: an order it changed without writing the outcome is now at
  // the status asked for, which is its outcome, not an invalid transition.
  const resumed = op.state === 'running';
  await BulkOperation.updateOne({ _id: bulkId }, { $set: { state: 'running' } });
  for (const orderId of op.orderIds) {
    if (done.has(orderId)) continue;
    let result: BulkResult;
    try {
      const change = await updateOrderStatus(deps, principal, orderId, { status: op.status as OrderStatus, ...(op.notes && { notes: op.notes }) }, {});
      result = { orderId, outcome: 'updated', message: `${change.previousStatus} → ${change.newStatus}` };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const alreadyThere = resumed && outcomeOf(err) === 'invalid_transition' && (await Order.exists({ orderId, status: op.status })) !== null;
      result = alreadyThere ? { orderId, outcome: 'updated', message: `already ${op.status}` } : { orderId, outcome: outcomeOf(err), message: err.errors[0]?.message ?? err.message };
    }
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
