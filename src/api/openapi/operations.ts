import { z } from 'zod';
import { analyticsQuery } from '../schemas/analytics';
import { bulkIdParam, bulkStatusBody } from '../schemas/bulk';
import { deadLetterIdParam, deadLettersQuery } from '../schemas/dead-letters';
import { createExportBody, exportIdParam } from '../schemas/exports';
import { adminOrdersQuery, attentionQuery, searchOrdersQuery, shipmentBody, updateOrderBody, updateStatusBody } from '../schemas/admin';
import { customerIdParam, customerOrdersQuery } from '../schemas/internal';
import { cancelOrderBody, createOrderBody, myOrdersQuery, orderIdParam } from '../schemas/orders';
import { listReturnsQuery, requestReturnBody, returnIdParam, reviewReturnBody } from '../schemas/returns';
import { createWebhookBody, deliveriesQuery, deliveryParams, eventsQuery, updateWebhookBody, webhookIdParam } from '../schemas/webhooks';
import * as r from './responses';

/**
 * Who may call an operation; the matrix test and the security section derive from it.
 * `admin-or-service`: an Administrator's token, or the service key (a request sending the key is judged by it alone).
 */
export type Access = 'public' | 'user' | 'owner' | 'admin' | 'service' | 'admin-or-service';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, e.g. /api/orders/:orderId */
  path: string;
  summary: string;
  tag: 'Health' | 'Orders' | 'Returns' | 'Order desk' | 'Webhooks' | 'Internal' | 'Operations';
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  idempotent?: boolean;
  /** `data` is the envelope's data; with `mediaType` the body is a file of that type instead, and `data` describes it. */
  success: { status: number; description: string; data: z.ZodType; mediaType?: 'text/csv' };
  /** Statuses beyond those its access level, its input and what guards it can answer (document.ts, errorsOf). */
  errors: number[];
  /** What a status means for this operation, where the general text (document.ts) would mislead. */
  why?: Partial<Record<number, string>>;
}

/** Every HTTP operation of the API (guide section 3), in the order a reader meets them. */
export const operations: Operation[] = [
  { method: 'get', path: '/health', summary: 'Liveness: the process answers', tag: 'Health', access: 'public', success: { status: 200, description: 'Alive', data: r.healthResponse }, errors: [] },
  { method: 'get', path: '/ready', summary: 'Readiness: MongoDB and Redis answer', tag: 'Health', access: 'public', success: { status: 200, description: 'Ready', data: r.readyResponse }, errors: [503] },

  { method: 'post', path: '/api/orders', summary: 'Place an order (guide 4.1)', tag: 'Orders', access: 'user', body: createOrderBody, idempotent: true, success: { status: 201, description: 'Order placed', data: r.orderResponse }, errors: [422, 502] },
  { method: 'get', path: '/api/orders/me', summary: "The caller's orders, paginated (guide 4.2)", tag: 'Orders', access: 'user', query: myOrdersQuery, success: { status: 200, description: 'Orders', data: r.myOrdersResponse }, errors: [] },
  { method: 'get', path: '/api/orders/:orderId', summary: 'One order with its items (guide 4.3)', tag: 'Orders', access: 'owner', params: orderIdParam, success: { status: 200, description: 'The order', data: r.orderResponse }, errors: [404] },
  { method: 'post', path: '/api/orders/:orderId/cancel', summary: 'Cancel an order (guide 4.4)', tag: 'Orders', access: 'owner', params: orderIdParam, body: cancelOrderBody, success: { status: 200, description: 'Cancelled', data: r.cancelResponse }, errors: [404, 409] },
  { method: 'get', path: '/api/orders/:orderId/history', summary: 'Status changes of an order, oldest first', tag: 'Orders', access: 'owner', params: orderIdParam, success: { status: 200, description: 'History', data: r.historyResponse }, errors: [404] },
  { method: 'post', path: '/api/orders/:orderId/return', summary: 'Request a return (guide 4.5)', tag: 'Returns', access: 'owner', params: orderIdParam, body: requestReturnBody, idempotent: true, success: { status: 200, description: 'Return requested', data: r.requestedReturnResponse }, errors: [404, 409, 422] },

  { method: 'get', path: '/api/orders', summary: 'All orders with filters (guide 3.2.1)', tag: 'Order desk', access: 'admin', query: adminOrdersQuery, success: { status: 200, description: 'Orders', data: r.deskOrdersResponse }, errors: [] },
  { method: 'get', path: '/api/orders/search', summary: 'Search by order id, or customer email or name prefix (guide 3.2.2)', tag: 'Order desk', access: 'admin', query: searchOrdersQuery, success: { status: 200, description: 'Matching orders', data: r.searchResponse }, errors: [] },
  { method: 'get', path: '/api/orders/attention', summary: 'Overdue work, oldest first: orders not shipped and return requests not reviewed within their SLA', tag: 'Order desk', access: 'admin', query: attentionQuery, success: { status: 200, description: 'Overdue work', data: r.attentionResponse }, errors: [] },
  { method: 'post', path: '/api/orders/bulk/status', summary: 'Change the status of up to 500 orders, each as one change would (a job; each id once)', tag: 'Order desk', access: 'admin', body: bulkStatusBody, success: { status: 202, description: 'Queued', data: r.bulkQueuedResponse }, errors: [] },
  { method: 'get', path: '/api/orders/bulk/:bulkId', summary: 'A bulk status change: its state, progress and each order\'s outcome', tag: 'Order desk', access: 'admin', params: bulkIdParam, success: { status: 200, description: 'The bulk change', data: r.bulkResponse }, errors: [404] },
  { method: 'post', path: '/api/orders/exports', summary: 'Export the orders the filters of GET /api/orders select, as CSV (a job; the file is kept EXPORT_TTL_HOURS)', tag: 'Order desk', access: 'admin', body: createExportBody, success: { status: 202, description: 'Queued', data: r.exportQueuedResponse }, errors: [] },
  { method: 'get', path: '/api/orders/exports/:exportId', summary: 'An export: its state, progress, row count and expiry', tag: 'Order desk', access: 'admin', params: exportIdParam, success: { status: 200, description: 'The export', data: r.exportResponse }, errors: [404] },
  { method: 'get', path: '/api/orders/exports/:exportId/download', summary: 'The CSV of a completed export (RFC 4180; cells a spreadsheet would run as formulas are prefixed with a quote)', tag: 'Order desk', access: 'admin', params: exportIdParam, success: { status: 200, description: 'The CSV file', data: r.exportCsv, mediaType: 'text/csv' }, errors: [404, 409], why: { 404: 'No such export, or it expired and was removed', 409: 'The export is not completed (queued, running or failed)' } },
  { method: 'put', path: '/api/orders/:orderId', summary: 'Edit delivery address (before shipping) and notes (guide 3.2.3)', tag: 'Order desk', access: 'admin', params: orderIdParam, body: updateOrderBody, success: { status: 200, description: 'Updated order', data: r.orderResponse }, errors: [404, 409] },
  { method: 'patch', path: '/api/orders/:orderId/status', summary: 'Move an order along its lifecycle (guide 4.6)', tag: 'Order desk', access: 'admin', params: orderIdParam, body: updateStatusBody, success: { status: 200, description: 'Status changed', data: r.statusChangeResponse }, errors: [404, 409, 422] },
  { method: 'put', path: '/api/orders/:orderId/shipment', summary: 'Correct the carrier or tracking of a shipped order (the customer is emailed once)', tag: 'Order desk', access: 'admin', params: orderIdParam, body: shipmentBody, success: { status: 200, description: 'Tracking updated', data: r.shipmentChangeResponse }, errors: [404, 409] },
  { method: 'delete', path: '/api/orders/:orderId', summary: 'Delete an order with its items, history and returns (guide 3.2.5)', tag: 'Order desk', access: 'admin', params: orderIdParam, success: { status: 200, description: 'Deleted', data: r.deleteResponse }, errors: [404, 409] },
  { method: 'get', path: '/api/orders/returns', summary: 'Return requests with filters (guide 3.2.6)', tag: 'Returns', access: 'admin', query: listReturnsQuery, success: { status: 200, description: 'Return requests', data: r.returnsListResponse }, errors: [] },
  { method: 'patch', path: '/api/orders/returns/:returnId/review', summary: 'Approve or reject a return (guide 4.7)', tag: 'Returns', access: 'admin', params: returnIdParam, body: reviewReturnBody, success: { status: 200, description: 'Reviewed', data: r.reviewResponse }, errors: [404, 409, 422] },
  { method: 'get', path: '/api/orders/analytics', summary: 'Order analytics from the daily rollups (guide 3.2.8)', tag: 'Order desk', access: 'admin', query: analyticsQuery, success: { status: 200, description: 'Analytics', data: r.analyticsResponse }, errors: [] },
  { method: 'get', path: '/api/orders/dead-letters', summary: 'Jobs that failed for good, newest first', tag: 'Operations', access: 'admin', query: deadLettersQuery, success: { status: 200, description: 'Dead letters', data: r.deadLettersResponse }, errors: [] },
  { method: 'get', path: '/api/orders/dead-letters/:id', summary: 'One dead letter', tag: 'Operations', access: 'admin', params: deadLetterIdParam, success: { status: 200, description: 'The dead letter', data: r.deadLetterResponse }, errors: [404] },
  { method: 'post', path: '/api/orders/dead-letters/:id/replay', summary: 'Put a dead letter back on its queue', tag: 'Operations', access: 'admin', params: deadLetterIdParam, success: { status: 200, description: 'Replayed', data: r.replayResponse }, errors: [404] },

  { method: 'post', path: '/api/orders/webhooks', summary: 'Subscribe a URL to events; the answer carries the signing secret, shown only now', tag: 'Webhooks', access: 'admin', body: createWebhookBody, success: { status: 201, description: 'Subscribed', data: r.webhookWithSecretResponse }, errors: [] },
  { method: 'get', path: '/api/orders/webhooks', summary: 'Every webhook subscription, oldest first (no secrets)', tag: 'Webhooks', access: 'admin', success: { status: 200, description: 'Subscriptions', data: r.webhooksListResponse }, errors: [] },
  { method: 'get', path: '/api/orders/webhooks/:webhookId', summary: 'One webhook subscription (no secret)', tag: 'Webhooks', access: 'admin', params: webhookIdParam, success: { status: 200, description: 'The subscription', data: r.webhookResponse }, errors: [404] },
  { method: 'patch', path: '/api/orders/webhooks/:webhookId', summary: 'Change its URL, events or description; disable it, or enable it afresh', tag: 'Webhooks', access: 'admin', params: webhookIdParam, body: updateWebhookBody, success: { status: 200, description: 'Updated', data: r.webhookResponse }, errors: [404] },
  { method: 'delete', path: '/api/orders/webhooks/:webhookId', summary: 'Delete a subscription with its deliveries log', tag: 'Webhooks', access: 'admin', params: webhookIdParam, success: { status: 200, description: 'Deleted', data: r.webhookDeletedResponse }, errors: [404] },
  { method: 'post', path: '/api/orders/webhooks/:webhookId/test', summary: 'Send a signed `ping` now, logged and retried like any event', tag: 'Webhooks', access: 'admin', params: webhookIdParam, success: { status: 202, description: 'Ping queued', data: r.pingResponse }, errors: [404, 409], why: { 409: 'The subscription is disabled; enable it first' } },
  { method: 'post', path: '/api/orders/webhooks/:webhookId/rotate-secret', summary: 'A new signing secret; the previous one keeps signing too for WEBHOOK_SECRET_OVERLAP_HOURS', tag: 'Webhooks', access: 'admin', params: webhookIdParam, success: { status: 200, description: 'Rotated', data: r.webhookWithSecretResponse }, errors: [404] },
  { method: 'get', path: '/api/orders/webhooks/:webhookId/deliveries', summary: "A subscription's deliveries log, newest first", tag: 'Webhooks', access: 'admin', params: webhookIdParam, query: deliveriesQuery, success: { status: 200, description: 'Deliveries', data: r.deliveriesResponse }, errors: [404] },
  { method: 'post', path: '/api/orders/webhooks/:webhookId/deliveries/:deliveryId/redeliver', summary: 'Send a delivered or dead delivery again, same event id and body (409 while it is still being attempted, or its subscription is disabled)', tag: 'Webhooks', access: 'admin', params: deliveryParams, success: { status: 202, description: 'Redelivery queued', data: r.redeliverResponse }, errors: [404, 409], why: { 409: 'The delivery is still being attempted (pending, or failed with a retry to come): wait for its outcome; or its subscription is disabled: enable it first' } },
  { method: 'get', path: '/api/orders/events', summary: 'The event feed: every event once, in a stable order, from a cursor (410 when retention removed what follows it)', tag: 'Webhooks', access: 'admin-or-service', query: eventsQuery, success: { status: 200, description: 'Events after the cursor', data: r.eventFeedResponse }, errors: [410], why: { 403: 'A token without the Administrator role', 410: 'The cursor is older than what retention kept (EVENT_FEED_RETENTION_DAYS): events were missed; read again from the start and reconcile' } },

  { method: 'get', path: '/api/orders/internal/customer/:customerId', summary: "A customer's orders, for the Customer Service (guide 3.3.1)", tag: 'Internal', access: 'service', params: customerIdParam, query: customerOrdersQuery, success: { status: 200, description: 'Orders', data: r.customerOrdersResponse }, errors: [] },
  { method: 'get', path: '/api/orders/internal/customer/:customerId/count', summary: "A customer's order count and value (guide 3.3.2)", tag: 'Internal', access: 'service', params: customerIdParam, success: { status: 200, description: 'Counts', data: r.customerCountResponse }, errors: [] },
];
