import type { OrderExportDoc } from '../../models/order-export';

/** An export: where it stands and until when it can be downloaded. */
export function presentExport(e: OrderExportDoc) {
  return {
    exportId: e._id,
    format: e.format,
    state: e.state,
    progress: { done: e.progress.done, total: e.progress.total },
    rowCount: e.rowCount ?? null,
    createdAt: e.createdAt,
    finishedAt: e.finishedAt ?? null,
    expiresAt: e.expiresAt,
    error: e.error ?? null,
  };
}
