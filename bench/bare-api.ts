import http from 'node:http';
import jwt from 'jsonwebtoken';
import { MongoClient } from 'mongodb';
import { ORDER_SUMMARY_FIELDS } from '../src/services/orders/list-fields';

/**
 * The bare API: the least any HTTP server does for get-order and my-orders. It verifies the
 * bearer token (HS256, with jsonwebtoken as the API does), makes the floor's queries with the
 * raw driver, checks the owner, and answers the guide's envelope as JSON; nothing else: no
 * framework, input validation, rate limit, logging, metrics or security headers. Run as its
 * own process under the same load as the API, its CPU per request is the part of the API's
 * that no cut inside the service can remove (bench/README.md, issue 16).
 * Env: MONGODB_URI, JWT_SECRET, PORT. Sends 'ready' over IPC once listening.
 */
const secret = process.env.JWT_SECRET ?? '';

async function main(): Promise<void> {
  const client = await MongoClient.connect(process.env.MONGODB_URI ?? '', { retryWrites: false });
  const orders = client.db().collection('orders');
  const items = client.db().collection('order_items');

  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      let userId: string;
      try {
        const claims = jwt.verify(token ?? '', secret, { algorithms: ['HS256'] });
        userId = typeof claims === 'object' ? String(claims.sub) : '';
      } catch {
        return answer(res, 401, { success: false, message: 'Unauthorized', errors: [] });
      }
      const url = new URL(req.url ?? '/', 'http://bare');
      if (url.pathname === '/api/orders/me') {
        const limit = Number(url.searchParams.get('limit') ?? 10);
        const [page, total] = await Promise.all([
          orders
            .find({ userId }, { projection: ORDER_SUMMARY_FIELDS })
            .sort({ orderDate: -1, _id: -1 })
            .limit(limit)
            .toArray(),
          orders.countDocuments({ userId }),
        ]);
        return answer(res, 200, {
          success: true,
          message: 'Orders retrieved successfully',
          data: { orders: page, pagination: { page: 1, limit, total, pages: Math.ceil(total / limit) } },
        });
      }
      const orderId = decodeURIComponent(url.pathname.slice('/api/orders/'.length));
      const order = await orders.findOne({ orderId }, { projection: { outbox: 0 } });
      if (!order) return answer(res, 404, { success: false, message: 'Order not found', errors: [] });
      if (order.userId !== userId) return answer(res, 403, { success: false, message: 'Forbidden', errors: [] });
      const lines = await items.find({ orderId: order._id }).sort({ _id: 1 }).toArray();
      return answer(res, 200, {
        success: true,
        message: 'Order retrieved successfully',
        data: { ...order, items: lines },
      });
    })().catch((err: unknown) => answer(res, 500, { success: false, message: String(err), errors: [] }));
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
  process.once('SIGTERM', () => {
    server.close();
    void client.close().then(() => process.exit(0));
  });
}

void main();
