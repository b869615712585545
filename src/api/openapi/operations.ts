import { z } from 'zod';
import { analyticsQuery } from '../schemas/analytics';
import { deadLetterIdParam, deadLettersQuery } from '../schemas/dead-letters';
import { adminOrdersQuery, searchOrdersQuery, updateOrderBody, updateStatusBody } from '../schemas/admin';
import { customerIdParam, customerOrdersQuery } from '../schemas/internal';
import { cancelOrderBody, createOrderBody, myOrdersQuery, orderIdParam } from '../schemas/orders';
import { listReturnsQuery, requestReturnBody, returnIdParam, reviewReturnBody } from '../schemas/returns';
import * as r from './responses';

/** Who may call an operation; the matrix test and the security section derive from it. */
export type Access = 'public' | 'user' | 'owner' | 'admin' | 'service';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, e.g. /api/orders/:orderId */
  path: string;
  summary: string;
  tag: 'Health' | 'Orders' | 'Returns' | 'Order desk' | 'Internal' | 'Operations';
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  idempotent?: boolean;
  success: { status: number; description: string; data: z.ZodType };
  /** Statuses beyond those its access level, its input and what guards it can answer (document.ts, errorsOf). */
  errors: number[];
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
  { method: 'put', path: '/api/orders/:orderId', summary: 'Edit delivery address (before shipping) and notes (guide 3.2.3)', tag: 'Order desk', access: 'admin', params: orderIdParam, body: updateOrderBody, success: { status: 200, description: 'Updated order', data: r.orderResponse }, errors: [404, 409] },
  { method: 'patch', path: '/api/orders/:orderId/status', summary: 'Move an order along its lifecycle (guide 4.6)', tag: 'Order desk', access: 'admin', params: orderIdParam, body: updateStatusBody, success: { status: 200, description: 'Status changed', data: r.statusChangeResponse }, errors: [404, 409, 422] },
  { method: 'delete', path: '/api/orders/:orderId', summary: 'Delete an order with its items, history and returns (guide 3.2.5)', tag: 'Order desk', access: 'admin', params: orderIdParam, success: { status: 200, description: 'Deleted', data: r.deleteResponse }, errors: [404, 409] },
  { method: 'get', path: '/api/orders/returns', summary: 'Return requests with filters (guide 3.2.6)', tag: 'Returns', access: 'admin', query: listReturnsQuery, success: { status: 200, description: 'Return requests', data: r.returnsListResponse }, errors: [] },
  { method: 'patch', path: '/api/orders/returns/:returnId/review', summary: 'Approve or reject a return (guide 4.7)', tag: 'Returns', access: 'admin', params: returnIdParam, body: reviewReturnBody, success: { status: 200, description: 'Reviewed', data: r.reviewResponse }, errors: [404, 409, 422] },
  { method: 'get', path: '/api/orders/analytics', summary: 'Order analytics from the daily rollups (guide 3.2.8)', tag: 'Order desk', access: 'admin', query: analyticsQuery, success: { status: 200, description: 'Analytics', data: r.analyticsResponse }, errors: [] },
  { method: 'get', path: '/api/orders/dead-letters', summary: 'Jobs that failed for good, newest first', tag: 'Operations', access: 'admin', query: deadLettersQuery, success: { status: 200, description: 'Dead letters', data: r.deadLettersResponse }, errors: [] },
  { method: 'get', path: '/api/orders/dead-letters/:id', summary: 'One dead letter', tag: 'Operations', access: 'admin', params: deadLetterIdParam, success: { status: 200, description: 'The dead letter', data: r.deadLetterResponse }, errors: [404] },
  { method: 'post', path: '/api/orders/dead-letters/:id/replay', summary: 'Put a dead letter back on its queue', tag: 'Operations', access: 'admin', params: deadLetterIdParam, success: { status: 200, description: 'Replayed', data: r.replayResponse }, errors: [404] },

  { method: 'get', path: '/api/orders/internal/customer/:customerId', summary: "A customer's orders, for the Customer Service (guide 3.3.1)", tag: 'Internal', access: 'service', params: customerIdParam, query: customerOrdersQuery, success: { status: 200, description: 'Orders', data: r.customerOrdersResponse }, errors: [] },
  { method: 'get', path: '/api/orders/internal/customer/:customerId/count', summary: "A customer's order count and value (guide 3.3.2)", tag: 'Internal', access: 'service', params: customerIdParam, success: { status: 200, description: 'Counts', data: r.customerCountResponse }, errors: [] },
];
