import { z } from 'zod';
import type { CommittedEvent } from '../services/committed-events';
import { EVENT_TYPES, WORK_QUEUE_NAMES } from '../shared/names';

/**
 * What a job carries: identifiers and the change, never personal data (names, emails,
 * addresses are read from the database by the worker that needs them).
 */
export const eventJobSchema = z.strictObject({
  eventId: z.uuid(),
  type: z.enum(EVENT_TYPES),
  orderRef: z.string().regex(/^[0-9a-f]{24}$/),
  orderId: z.string().min(1),
  userId: z.string().min(1),
  customerId: z.string().nullable(),
  occurredAt: z.iso.datetime(),
  previousStatus: z.string().nullable(),
  newStatus: z.string().nullable(),
  returnId: z.string().nullable(),
});

export type EventJob = z.infer<typeof eventJobSchema>;
// A job carries a committed event exactly as the event log records it.
eventJobSchema satisfies z.ZodType<CommittedEvent>;

/**
 * customer-stats: the debounced "recompute and send this customer's totals" job, with the
 * event that asked for it (a sync no committed event of that customer asked for is refused).
 */
export const customerSyncJobSchema = z.strictObject({
  customerId: z.string().min(1),
  eventId: z.uuid(),
});
export type CustomerSyncJob = z.infer<typeof customerSyncJobSchema>;

/** webhooks: one delivery of one event to one subscription; the rest is in its record. */
export const deliveryJobSchema = z.strictObject({
  deliveryId: z.string().regex(/^dlv_[0-9a-f]{32}$/),
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** bulk: one bulk status change, made as the administrator who asked for it. */
export const bulkJobSchema = z.strictObject({
  bulkId: z.string().regex(/^blk_[0-9a-f]{24}$/),
  principal: z.strictObject({
    userId: z.string().min(1),
    role: z.literal('Administrator'),
    name: z.string().optional(),
    email: z.string().optional(),
  }),
});
export type BulkJob = z.infer<typeof bulkJobSchema>;

/** exports: one export of orders to a file; what to export is in its record. */
export const exportJobSchema = z.strictObject({
  exportId: z.string().regex(/^exp_[0-9a-f]{24}$/),
});
export type ExportJob = z.infer<typeof exportJobSchema>;

/** dead-letter: a copy of a job that failed for good, enough to inspect and replay it. */
export const deadLetterSchema = z.strictObject({
  queue: z.enum(WORK_QUEUE_NAMES),
  jobId: z.string().min(1),
  name: z.string().min(1),
  data: z.unknown(),
  failedReason: z.string(),
  attemptsMade: z.number().int().min(0),
  createdAt: z.number().int(), // ms since epoch, as BullMQ keeps them
  processedAt: z.number().int().nullable(),
  failedAt: z.number().int(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
