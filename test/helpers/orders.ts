import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { config } from '../../src/config';
import { Order } from '../../src/models';
import { createHttpServer, httpLimitsOf } from '../../src/api/http-server';
import { smallOrderBody } from './fixtures';
import { as, type TestUser } from './tokens';
import type { OrderStatus } from '../../src/shared/names';

/** Places an order through the API and returns its order id; fails loudly otherwise. */
export async function placeOrder(
  app: Express | http.Server,
  user: TestUser,
  body: object = smallOrderBody(),
): Promise<string> {
  const res = await request(app).post('/api/orders').set(as(user)).send(body);
  if (res.status !== 201) throw new Error(`placing an order answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data.orderId as string;
}

/**
 * Moves an order to a status behind the API's back (arrange steps for statuses the admin
 * endpoints would reach), bumping `version` as every real change does.
 */
export async function forceStatus(orderId: string, status: OrderStatus): Promise<void> {
  const res = await Order.updateOne({ orderId }, { $set: { status }, $inc: { version: 1 } });
  if (res.modifiedCount !== 1) throw new Error(`order ${orderId} not found`);
}

/** One listening server for many concurrent requests (supertest would start one per request). */
export async function listen(app: Express): Promise<{ server: http.Server; url: string; close(): Promise<void> }> {
  const server = createHttpServer(app, httpLimitsOf(config));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
