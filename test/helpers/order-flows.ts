import type http from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { OrderItem } from '../../src/models';
import { as, type TestUser } from './tokens';

type App = Express | http.Server;

async function ok(res: request.Response, what: string, status = 200): Promise<request.Response> {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

/** The desk moves an order through statuses (PATCH /api/orders/:id/status). */
export async function moveTo(app: App, orderId: string, ...statuses: string[]): Promise<void> {
  for (const status of statuses) {
    await ok(await request(app).patch(`/api/orders/${orderId}/status`).set(as('admin')).send({ status }), `moving ${orderId} to ${status}`);
  }
}

/** The owner asks to return `quantity` units of the order's first item; returns the return id. */
export async function askReturn(app: App, user: TestUser, orderId: string, quantity = 1): Promise<string> {
  const [item] = await OrderItem.find({ orderIdString: orderId }).sort({ _id: 1 }).lean();
  const res = await ok(
    await request(app)
      .post(`/api/orders/${orderId}/return`)
      .set(as(user))
      .send({ reason: 'The product arrived damaged', reasonCategory: 'Damaged', items: [{ orderItemId: item._id.toHexString(), quantity }] }),
    `requesting a return of ${orderId}`,
  );
  return res.body.data.returnId as string;
}

/** The desk approves (with a refund, decimal) or rejects a return. */
export async function review(app: App, returnId: string, refund: number | null): Promise<void> {
  const body = refund === null ? { decision: 'rejected', approvalNotes: 'No damage visible on the photos' } : { decision: 'approved', approvalNotes: 'Approved, refund to follow', refundAmount: refund };
  await ok(await request(app).patch(`/api/orders/returns/${returnId}/review`).set(as('admin')).send(body), `reviewing ${returnId}`);
}
