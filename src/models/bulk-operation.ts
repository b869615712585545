import { Schema, model } from 'mongoose';
import { workRecordFields, type WorkRecordDoc } from './work-record';

export const BULK_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export const BULK_OUTCOMES = ['updated', 'not_found', 'invalid_transition', 'conflict'] as const;
export type BulkState = (typeof BULK_STATES)[number];
export type BulkOutcome = (typeof BULK_OUTCOMES)[number];

/**
 * One bulk status change: what was asked, how far it got and each order's outcome, written
 * as it goes (so a run that dies and starts again skips the orders already done).
 */
const bulkOperationSchema = new Schema(
  {
    _id: { type: String, required: true }, // blk_<hex>
    status: { type: String, required: true },
    notes: { type: String, default: null },
    orderIds: { type: [String], required: true },
    state: { type: String, enum: BULK_STATES, default: 'queued' },
    results: {
      type: [{ _id: false, orderId: String, outcome: { type: String, enum: BULK_OUTCOMES }, message: String }],
      default: [],
    },
    createdBy: { type: String, required: true },
    // The requester's name, for the changes' history when the job is queued again from here.
    createdByName: { type: String, default: null },
    createdAt: { type: Date, default: Date.now },
    ...workRecordFields,
  },
  { collection: 'bulk_operations', versionKey: false },
);
// The reconciliation's scan of changes still waiting, by state (equality: FerretDB v1 pushes only that down).
bulkOperationSchema.index({ state: 1, createdAt: 1 });

export interface BulkResult {
  orderId: string;
  outcome: BulkOutcome;
  message: string;
}

export interface BulkOperationDoc extends WorkRecordDoc {
  _id: string;
  status: string;
  notes: string | null;
  orderIds: string[];
  state: BulkState;
  results: BulkResult[];
  createdBy: string;
  createdByName: string | null;
  createdAt: Date;
}
export const BulkOperation = model('BulkOperation', bulkOperationSchema);
