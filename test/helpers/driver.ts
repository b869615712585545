import type http from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { OrderItem } from '../../src/models';
import { buildOrderBody, guideOrderBody } from './fixtures';
import { as, type TestUser } from './tokens';

type App = Express | http.Server;

/** An order in Delivered, with the ids of the guide's two lines. */
export interface DeliveredOrder {
  orderId: string;
  /** Item id of the 2 headphones: 2 × 2500 - 250 + 225 = 4975.00. */
  headphones: string;
  /** Item id of the cable: 1 × 500 + 45 = 545.00. */
  cable: string;
}

/** The guide 4.5 body: both headphones back, damaged. */
export const returnBody = (o: DeliveredOrder, quantity = 2) => ({
  reason: 'Product damaged during shipping',
  reasonCategory: 'Damaged',
  description: 'The packaging was torn and the headphones have scratches',
  items: [{ orderItemId: o.headphones, quantity, returnReason: 'Both units damaged' }],
});

/** The guide 4.7 approval: the full value of the two headphones. */
export const APPROVE = {
  decision: 'approved',
  approvalNotes: 'Return approved. Refund to be processed.',
  refundAmount: 4975,
};
export const REJECT = { decision: 'rejected', approvalNotes: 'The photos show no damage at all.' };

/**
 * Arranges state through the API as `user` (the desk's steps as the administrator): each
 * step throws on an answer it did not expect, so a test's arrange part never fails quietly
 * and its act part stays a plain request.
 */
export class Driver {
  constructor(
    private readonly app: App,
    readonly user: TestUser,
  ) {}

  private async expect(res: request.Response, what: string, status = 200): Promise<request.Response> {
    if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res;
  }

  /** Places an order (a small one unless given a body); its order id. */
  async placeOrder(body: object = buildOrderBody()): Promise<string> {
    const res = await this.expect(
      await request(this.app).post('/api/orders').set(as(this.user)).send(body),
      `placing an order as ${this.user}`,
      201,
    );
    return res.body.data.orderId as string;
  }

  /** The desk moves the order through these statuses, one edge at a time. */
  async move(orderId: string, ...statuses: string[]): Promise<void> {
    for (const status of statuses) {
      await this.expect(
        await request(this.app).patch(`/api/orders/${orderId}/status`).set(as('admin')).send({ status }),
        `moving ${orderId} to ${status}`,
      );
    }
  }

  /** The guide's order, placed and moved by the desk to Delivered. */
  async deliveredOrder(): Promise<DeliveredOrder> {
    const orderId = await this.placeOrder(guideOrderBody());
    await this.move(orderId, 'Processing', 'Shipped', 'Delivered');
    const items = await OrderItem.find({ orderIdString: orderId }).sort({ _id: 1 }).lean();
    return { orderId, headphones: items[0]._id.toHexString(), cable: items[1]._id.toHexString() };
  }

  /** Asks to return items of an order (by default `quantity` of its first line); the return id. */
  async requestReturn(orderId: string, body?: object, quantity = 1): Promise<string> {
    let send = body;
    if (!send) {
      const [item] = await OrderItem.find({ orderIdString: orderId }).sort({ _id: 1 }).lean();
      send = {
        reason: 'The product arrived damaged',
        reasonCategory: 'Damaged',
        items: [{ orderItemId: item._id.toHexString(), quantity }],
      };
    }
    const res = await this.expect(
      await request(this.app).post(`/api/orders/${orderId}/return`).set(as(this.user)).send(send),
      `requesting a return of ${orderId}`,
    );
    return res.body.data.returnId as string;
  }

  /** A delivered order with an open (Pending) return of both headphones. */
  async openReturn(): Promise<DeliveredOrder & { returnId: string }> {
    const o = await this.deliveredOrder();
    return { ...o, returnId: await this.requestReturn(o.orderId, returnBody(o)) };
  }

  /** The desk approves (with a refund, decimal) or rejects (null) a return. */
  async review(returnId: string, refund: number | null): Promise<void> {
    const body = refund === null ? REJECT : { ...APPROVE, refundAmount: refund };
    await this.expect(
      await request(this.app).patch(`/api/orders/returns/${returnId}/review`).set(as('admin')).send(body),
      `reviewing ${returnId}`,
    );
  }

  /** The desk subscribes `url` to webhooks of these event types; its id and secret. */
  async subscribe(url: string, events: string[] = ['*']): Promise<{ webhookId: string; secret: string }> {
    const res = await this.expect(
      await request(this.app).post('/api/orders/webhooks').set(as('admin')).send({ url, events }),
      `subscribing ${url}`,
      201,
    );
    return { webhookId: res.body.data.webhookId as string, secret: res.body.data.secret as string };
  }

  /** The owner cancels the order. */
  async cancel(orderId: string, reason = 'Ordered the wrong size by mistake'): Promise<void> {
    await this.expect(
      await request(this.app).post(`/api/orders/${orderId}/cancel`).set(as(this.user)).send({ reason }),
      `cancelling ${orderId}`,
    );
  }
}
