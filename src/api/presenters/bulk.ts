import type { BulkOperationDoc } from '../../models/bulk-operation';

/** A bulk change: where it stands, and each order's outcome so far. */
export function presentBulkOperation(op: BulkOperationDoc) {
  return {
    bulkId: op._id,
    status: op.status,
    state: op.state,
    progress: { done: op.results.length, total: op.orderIds.length },
    results: op.results.map(({ orderId, outcome, message }) => ({ orderId, outcome, message })),
    createdAt: op.createdAt,
    finishedAt: op.finishedAt ?? null,
    error: op.error ?? null,
  };
}
