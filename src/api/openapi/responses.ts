import { z } from 'zod';
import { ORDER_STATUSES } from '../../services/order-state';
import { REFUND_STATUSES, RETURN_REASON_CATEGORIES, RETURN_STATUSES } from '../../models/return-request';
import { deliveryAddressSchema } from '../schemas/orders';

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
  ...{ productId: z.string(), productName: z.string(), productDescription: z.string().optional(), sku: z.string().optional() },
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

/** When it was placed, where it stands, what it is worth: in every view of an order. */
const placement = { orderDate: dateTime, status, totalAmount: amount, itemCount: z.number().int() };

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
  ...{ cancellationReason: z.string().optional(), cancelledBy: z.string().optional(), cancelledAt: dateTime.optional() },
  ...{ returnReason: z.string().optional(), returnRequestedAt: dateTime.optional(), returnApproved: z.boolean().optional() },
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

export const returnsListResponse = z.object({ returns: z.array(returnRequestResponse), pagination: paginationResponse });

const money = amount;
export const analyticsResponse = z.object({
  period: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  totalOrders: z.number().int(),
  itemsOrdered: z.number().int(),
  ordersByStatus: z.record(status, z.object({ count: z.number().int(), value: money })),
  revenue: z.object({ gross: money, cancelled: money, refunded: money, net: money }),
  averageOrderValue: money,
  returns: z.object({ requested: z.number().int(), approved: z.number().int(), rejected: z.number().int(), completed: z.number().int(), returnRate: z.number() }),
  refunds: z.object({ approved: money, completed: money }),
  topProducts: z.array(z.object({ productId: z.string(), productName: z.string(), quantity: z.number().int(), revenue: money })),
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
export const deadLettersResponse = z.object({ deadLetters: z.array(deadLetterResponse), pagination: paginationResponse });
export const replayResponse = z.object({ queue: z.string(), jobId: z.string() });

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
