import { z } from 'zod';
import { EVENT_TYPES } from './names';

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
