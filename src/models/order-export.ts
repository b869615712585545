import { Schema, model } from 'mongoose';
import { workRecordFields, type WorkRecordDoc } from './work-record';

export const EXPORT_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

/** The desk's filters of an export, as `GET /api/orders` takes them (decimal amounts). */
const exportFiltersSchema = new Schema(
  {
    status: { type: String, default: null },
    from: { type: Date, default: null },
    to: { type: Date, default: null },
    userId: { type: String, default: null },
    customerId: { type: String, default: null },
    minAmount: { type: Number, default: null },
    maxAmount: { type: Number, default: null },
  },
  { _id: false },
);

/**
 * One export of orders to a file under EXPORT_DIR: what was asked, how far the job got, and
 * when it and its file are removed. The file is written under a temporary name and renamed
 * when complete, so a file with the final name is always a whole export.
 */
const orderExportSchema = new Schema(
  {
    _id: { type: String, required: true }, // exp_<hex>
    format: { type: String, enum: ['csv'], required: true },
    filters: { type: exportFiltersSchema, required: true },
    state: { type: String, enum: EXPORT_STATES, default: 'queued' },
    progress: { done: { type: Number, default: 0 }, total: { type: Number, default: 0 } },
    rowCount: { type: Number, default: null },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    ...workRecordFields,
  },
  { collection: 'order_exports', versionKey: false },
);
// The expiry sweep's scan (FerretDB has no TTL index: DESIGN.md 1).
orderExportSchema.index({ expiresAt: 1 });
// The reconciliation's scan of exports still waiting, by state (equality: FerretDB v1 pushes only that down).
orderExportSchema.index({ state: 1, createdAt: 1 });

export interface ExportFilters {
  status: string | null;
  from: Date | null;
  to: Date | null;
  userId: string | null;
  customerId: string | null;
  minAmount: number | null;
  maxAmount: number | null;
}

export interface OrderExportDoc extends WorkRecordDoc {
  _id: string;
  format: 'csv';
  filters: ExportFilters;
  state: ExportState;
  progress: { done: number; total: number };
  rowCount: number | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
}
export const OrderExport = model('OrderExport', orderExportSchema);
