import { z } from 'zod';
import { REFUND_STATUSES, RETURN_REASON_CATEGORIES, RETURN_STATUSES } from '../../models/return-request';
import { DELIVERY_STATUSES } from '../../models/webhook-delivery';
import { BULK_OUTCOMES, BULK_STATES } from '../../models/bulk-operation';
import { EXPORT_STATES } from '../../models/order-export';
import { EXPORT_COLUMNS } from '../../services/exports/order-row';
import { deliveryAddressSchema } from '../schemas/orders';
import { ORDER_STATUSES, EVENT_TYPES } from '../../shared/names';

/**
 * What the API answers, as zod schemas: the OpenAPI document is generated from them, and
 * the authorization-matrix test checks every successful answer against them, so the
 * documentation cannot drift from what the code sends.
 */

const dateTime = z.iso.datetime({ offset: true });
const status = z.enum(ORDER_STATUSES);
const amount = z.number().describe('Decimal amount in rupees, at most two decimals');

export const itemResponse = z.object({
  itemId: z.string(),
  ...{
    productId: z.string(),
    productName: z.string(),
    productDescription: z.string().optional(),
    sku: z.string().optional(),
  },
  quantity: z.number().int(),
  unitPrice: amount,
  totalPrice: amount,
  discount: amount,
  tax: amount,
  finalPrice: amount,
  returnRequested: z.boolean().optional(),
  returnQuantity: z.number().int().optional(),
  returnReason: z.string().nullable().optional(),
});

/** Carrier and tracking of a shipped order; null before it ships (or shipped without). */
export const shipmentResponse = z
  .object({ carrier: z.string(), trackingNumber: z.string(), trackingUrl: z.string().nullable(), shippedAt: dateTime })
  .nullable();

/** When it was placed, where it stands, what it is worth, how it travels: in every view of an order. */
const placement = {
  orderDate: dateTime,
  status,
  totalAmount: amount,
  itemCount: z.number().int(),
  shipment: shipmentResponse,
};

export const orderResponse = z.object({
  orderId: z.string(),
  userId: z.string(),
  customerId: z.string().optional(),
  customerEmail: z.string(),
  customerName: z.string(),
  ...placement,
  deliveryAddress: deliveryAddressSchema,
  items: z.array(itemResponse),
  notes: z.string().optional(),
  ...{
    cancellationReason: z.string().optional(),
    cancelledBy: z.string().optional(),
    cancelledAt: dateTime.optional(),
  },
  ...{
    returnReason: z.string().optional(),
    returnRequestedAt: dateTime.optional(),
    returnApproved: z.boolean().optional(),
  },
  metadata: z.object({ platform: z.string().optional() }).optional(),
  createdAt: dateTime,
  updatedAt: dateTime,
  updatedBy: z.string().optional(),
});

export const orderSummaryResponse = z.object({
  orderId: z.string(),
  ...placement,
  deliveryAddress: z.object({ city: z.string().optional(), state: z.string().optional() }),
});

export const deskOrderResponse = orderSummaryResponse.extend({
  userId: z.string(),
  customerId: z.string().nullable(),
  customerName: z.string(),
  customerEmail: z.string(),
});

export const paginationResponse = z.object({
  currentPage: z.number().int(),
  totalPages: z.number().int(),
  totalItems: z.number().int(),
  itemsPerPage: z.number().int(),
  hasNextPage: z.boolean(),
  hasPreviousPage: z.boolean(),
});

export const myOrdersResponse = z.object({ orders: z.array(orderSummaryResponse), pagination: paginationResponse });
export const deskOrdersResponse = z.object({ orders: z.array(deskOrderResponse), pagination: paginationResponse });
export const searchResponse = deskOrdersResponse.extend({ query: z.string() });
export const customerOrdersResponse = myOrdersResponse.extend({ customerId: z.string() });

export const cancelResponse = z.object({
  orderId: z.string(),
  status: z.literal('Cancelled'),
  cancellationReason: z.string(),
  cancelledBy: z.string(),
  cancelledAt: dateTime,
});

const listPages = z.object({
  currentPage: z.number().int(),
  itemsPerPage: z.number().int(),
  totalItems: z.number().int(),
  totalPages: z.number().int(),
});
export const attentionResponse = z.object({
  overdueOrders: z.array(
    z.object({
      orderId: z.string(),
      status,
      orderDate: dateTime,
      customerId: z.string().nullable(),
      totalAmount: amount,
      waitingSince: dateTime,
      waitingHours: z.number(),
    }),
  ),
  overdueReturns: z.array(
    z.object({
      returnId: z.string(),
      orderId: z.string(),
      reasonCategory: z.enum(RETURN_REASON_CATEGORIES),
      requestedAt: dateTime,
      waitingSince: dateTime,
      waitingHours: z.number(),
    }),
  ),
  counts: z.object({ orders: z.number().int(), returns: z.number().int() }),
  pagination: z.object({ orders: listPages, returns: listPages }),
});

export const exportQueuedResponse = z.object({ exportId: z.string() });
export const exportResponse = z.object({
  exportId: z.string(),
  format: z.literal('csv'),
  state: z.enum(EXPORT_STATES),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  rowCount: z.number().int().nullable(),
  createdAt: dateTime,
  finishedAt: dateTime.nullable(),
  expiresAt: dateTime,
  error: z.string().nullable(),
});
/** A header row `orderId,orderDate,…,trackingNumber`, then one CRLF-terminated row per order. */
export const exportCsv = z.string().meta({ description: `CSV with the header row ${EXPORT_COLUMNS.join(',')}` });

export const bulkQueuedResponse = z.object({ bulkId: z.string() });
export const bulkResponse = z.object({
  bulkId: z.string(),
  status,
  state: z.enum(BULK_STATES),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  results: z.array(z.object({ orderId: z.string(), outcome: z.enum(BULK_OUTCOMES), message: z.string() })),
  createdAt: dateTime,
  finishedAt: dateTime.nullable(),
  error: z.string().nullable(),
});

export const shipmentChangeResponse = z.object({
  orderId: z.string(),
  status,
  shipment: shipmentResponse,
  updatedAt: dateTime,
});

export const historyResponse = z.object({
  orderId: z.string(),
  history: z.array(
    z.object({
      previousStatus: status.nullable(),
      newStatus: status,
      changedBy: z.string(),
      changedByRole: z.string(),
      changedByName: z.string().nullable(),
      notes: z.string().nullable(),
      shipment: shipmentResponse.optional(),
      timestamp: dateTime,
    }),
  ),
});

export const statusChangeResponse = z.object({
  orderId: z.string(),
  previousStatus: status,
  newStatus: status,
  updatedBy: z.string(),
  updatedAt: dateTime,
});

export const deleteResponse = z.object({
  orderId: z.string(),
  deleted: z.object({ items: z.number().int(), history: z.number().int(), returns: z.number().int() }),
});

export const customerCountResponse = z.object({
  customerId: z.string().optional(),
  orderCount: z.number().int(),
  totalValue: amount,
  lastOrderDate: dateTime.nullable(),
});

const returnLine = z.object({ orderItemId: z.string(), productName: z.string(), quantity: z.number().int() });

export const requestedReturnResponse = z.object({
  returnId: z.string(),
  orderId: z.string(),
  status: z.enum(RETURN_STATUSES),
  reason: z.string(),
  reasonCategory: z.enum(RETURN_REASON_CATEGORIES),
  description: z.string().optional(),
  items: z.array(returnLine),
  requestedAt: dateTime,
});

export const reviewResponse = z.object({
  returnId: z.string(),
  orderId: z.string(),
  status: z.enum(RETURN_STATUSES),
  refundAmount: amount.nullable(),
  approvalNotes: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: dateTime.nullable(),
});

export const returnRequestResponse = z.object({
  returnId: z.string(),
  orderId: z.string(),
  userId: z.string(),
  requestedBy: z.string(),
  reason: z.string(),
  reasonCategory: z.enum(RETURN_REASON_CATEGORIES),
  description: z.string().nullable(),
  items: z.array(returnLine.extend({ productId: z.string(), returnReason: z.string().nullable() })),
  status: z.enum(RETURN_STATUSES),
  requestedAt: dateTime,
  ...{ reviewedBy: z.string().nullable(), reviewedByName: z.string().nullable(), reviewedAt: dateTime.nullable() },
  ...{ approvalNotes: z.string().nullable(), refundAmount: amount.nullable() },
  refundStatus: z.enum(REFUND_STATUSES),
  completedAt: dateTime.nullable(),
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const returnsListResponse = z.object({
  returns: z.array(returnRequestResponse),
  pagination: paginationResponse,
});

const money = amount;
/**
 * One `entry` under every status, each listed: a record keyed by the enum would say the keys
 * are required without defining them, which the document's linters flag and generators skip.
 */
const byStatus = <T extends z.ZodType>(entry: T) =>
  z.object(Object.fromEntries(ORDER_STATUSES.map((s) => [s, entry])) as Record<(typeof ORDER_STATUSES)[number], T>);
export const analyticsResponse = z.object({
  period: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  totalOrders: z.number().int(),
  itemsOrdered: z.number().int(),
  ordersByStatus: byStatus(z.object({ count: z.number().int(), value: money })),
  revenue: z.object({ gross: money, cancelled: money, refunded: money, net: money }),
  averageOrderValue: money,
  returns: z.object({
    requested: z.number().int(),
    approved: z.number().int(),
    rejected: z.number().int(),
    completed: z.number().int(),
    returnRate: z.number(),
  }),
  refunds: z.object({ approved: money, completed: money }),
  topProducts: z.array(
    z.object({ productId: z.string(), productName: z.string(), quantity: z.number().int(), revenue: money }),
  ),
  daily: z.array(
    z.object({
      date: z.string(),
      orders: z.number().int(),
      itemsOrdered: z.number().int(),
      grossRevenue: money,
      cancelledRevenue: money,
      refunded: money,
      netRevenue: money,
    }),
  ),
});

export const deadLetterResponse = z.object({
  id: z.string(),
  queue: z.string(),
  jobId: z.string(),
  name: z.string(),
  data: z.unknown().describe('The payload of the failed job: identifiers only'),
  failedReason: z.string(),
  attemptsMade: z.number().int(),
  createdAt: dateTime,
  processedAt: dateTime.nullable(),
  failedAt: dateTime,
  deadLetteredAt: dateTime,
});
export const deadLettersResponse = z.object({
  deadLetters: z.array(deadLetterResponse),
  pagination: paginationResponse,
});
export const replayResponse = z.object({ queue: z.string(), jobId: z.string() });

const eventType = z.enum(EVENT_TYPES);
const webhookId = z.string().regex(/^wh_[0-9a-f]{24}$/);
const deliveryId = z.string().regex(/^dlv_[0-9a-f]{32}$/);

export const webhookResponse = z.object({
  webhookId,
  url: z.string(),
  events: z
    .array(z.enum(['*', ...EVENT_TYPES]))
    .describe('The event types it receives; `["*"]`: every type, those added later too'),
  description: z.string().nullable(),
  active: z.boolean(),
  createdAt: dateTime,
  updatedAt: dateTime,
  failingSince: dateTime
    .nullable()
    .describe('The first failed delivery since its last success; null while deliveries succeed'),
  disabledAt: dateTime.nullable(),
  disabledReason: z.string().nullable(),
  previousSecretExpiresAt: dateTime
    .nullable()
    .describe('Until when the secret replaced by the last rotation still signs deliveries too; null when none does'),
});
export const webhookWithSecretResponse = webhookResponse.extend({
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{43}=$/)
    .describe(
      'Signs every delivery (ORMS-Signature and the Standard Webhooks webhook-signature): `whsec_` and the standard base64 of 32 random bytes; shown only here, at creation and rotation',
    ),
});
export const webhooksListResponse = z.object({ webhooks: z.array(webhookResponse) });
export const webhookDeletedResponse = z.object({ webhookId });
export const pingResponse = z.object({ deliveryId, eventId: z.uuid() });
export const redeliverResponse = z.object({ deliveryId });

export const deliveryResponse = z.object({
  deliveryId,
  eventId: z.string(),
  eventType: z.enum([...EVENT_TYPES, 'ping']),
  status: z
    .enum(DELIVERY_STATUSES)
    .describe(
      'pending: not sent yet, or sent again; failed: the last attempt failed and another will come; delivered; dead: every attempt failed',
    ),
  attempts: z.number().int(),
  lastStatusCode: z
    .number()
    .int()
    .nullable()
    .describe("The receiver's HTTP status at the last attempt; null when it answered none"),
  lastError: z.string().nullable(),
  lastAttemptAt: dateTime.nullable(),
  durationMs: z.number().nullable(),
  nextAttemptAt: dateTime.nullable(),
  deliveredAt: dateTime.nullable(),
  createdAt: dateTime,
});
export const deliveriesResponse = z.object({ deliveries: z.array(deliveryResponse), pagination: paginationResponse });

/** What other services are told of an event: identifiers, statuses and amounts, never personal data. */
export const publicEventData = z.object({
  orderId: z.string(),
  customerId: z.string().nullable(),
  status: status.nullable(),
  previousStatus: status.nullable(),
  totals: z.object({ totalAmount: amount.nullable(), itemCount: z.number().int().nullable() }),
  return: z
    .object({ returnId: z.string(), decision: z.string().nullable(), reasonCategory: z.string().nullable() })
    .nullable(),
});
const cursor = z.string().regex(/^\d{1,15}$/);
export const eventFeedResponse = z.object({
  events: z.array(
    z.object({
      eventId: z.string(),
      type: eventType,
      occurredAt: dateTime,
      orderId: z.string(),
      returnId: z.string().nullable(),
      data: publicEventData,
      cursor: cursor.describe('The place of this event in the feed; pass it as `after` to read on from here'),
    }),
  ),
  nextCursor: cursor.describe(
    'Pass as `after` for the next page; the same cursor again when no newer event was placed yet',
  ),
});

export const healthResponse = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });
export const readyResponse = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.object({ mongodb: z.enum(['up', 'down']), redis: z.enum(['up', 'down']) }),
});

export const errorEnvelope = z.object({
  success: z.literal(false),
  message: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});
