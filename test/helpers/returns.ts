import type http from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { OrderItem } from '../../src/models';
import { guideOrderBody } from './fixtures';
import { placeOrder } from './orders';
import { as, type TestUser } from './tokens';

export interface DeliveredOrder {
  orderId: string;
  /** Item id of the 2 headphones: 2 × 2500 - 250 + 225 = 4975.00. */
  headphones: string;
  /** Item id of the cable: 1 × 500 + 45 = 545.00. */
  cable: string;
}

type App = Express | http.Server;

/** Moves an order through the desk's status route; fails loudly if refused. */
export async function moveOrder(app: App, orderId: string, ...statuses: string[]): Promise<void> {
  for (const status of statuses) {
    const res = await request(app).patch(`/api/orders/${orderId}/status`).set(as('admin')).send({ status });
    if (res.status !== 200) throw new Error(`moving ${orderId} to ${status} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

/** The guide's order placed by `user`, then Processing → Shipped → Delivered by the desk. */
export async function deliveredOrder(app: App, user: TestUser = 'alice'): Promise<DeliveredOrder> {
  const orderId = await placeOrder(app, user, guideOrderBody());
  await moveOrder(app, orderId, 'Processing', 'Shipped', 'Delivered');
  const items = await OrderItem.find({ orderIdString: orderId }).sort({ _id: 1 }).lean();
  return { orderId, headphones: items[0]._id.toHexString(), cable: items[1]._id.toHexString() };
}

/** The guide 4.5 body: both headphones back, damaged. */
export const returnBody = (o: DeliveredOrder, quantity = 2) => ({
  reason: 'Product damaged during shipping',
  reasonCategory: 'Damaged',
  description: 'The packaging was torn and the headphones have scratches',
  items: [{ orderItemId: o.headphones, quantity, returnReason: 'Both units damaged' }],
});

/** A delivered order with an open (Pending) return of both headphones. */
export async function openReturn(app: App, user: TestUser = 'alice'): Promise<DeliveredOrder & { returnId: string }> {
  const o = await deliveredOrder(app, user);
  const res = await request(app).post(`/api/orders/${o.orderId}/return`).set(as(user)).send(returnBody(o));
  if (res.status !== 200) throw new Error(`requesting a return answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { ...o, returnId: res.body.data.returnId as string };
}

/** The guide 4.7 approval: the full value of the two headphones. */
export const APPROVE = { decision: 'approved', approvalNotes: 'Return approved. Refund to be processed.', refundAmount: 4975 };
export const REJECT = { decision: 'rejected', approvalNotes: 'The photos show no damage at all.' };
