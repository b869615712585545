import request from 'supertest';
import { OrderHistory } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { drained } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const t = useTestApp({ smtp: true, customers: true });
let proc: WorkerProcess;
beforeAll(async () => {
  // Every worker in one process, as `node dist/workers/main.js` runs them by default.
  proc = await startWorkerProcess({
    EMAIL_HOST: t.smtp.host,
    EMAIL_PORT: String(t.smtp.port),
    CUSTOMER_SERVICE_URL: t.customers.url,
  });
  t.onClose(() => proc.kill());
}, 30_000);

describe('the worker process with every worker', () => {
  it('turns one placed order into one confirmation email, one statistics call and the analytics', async () => {
    const orderId = await t.as('alice').placeOrder(guideOrderBody());
    const { eventId } = await eventually(
      () => OrderHistory.findOne({ orderIdString: orderId }).lean(),
      3000,
      'the history row',
    );

    const mail = await eventually(
      async () => t.smtp.received.find((m) => m.messageId === `<${eventId}@rman-ecommerce.com>`),
      8000,
      'the email',
    );
    await eventually(async () => t.customers.successes('c-alice').length > 0, 8000, 'the statistics call');
    for (const q of ['emails', 'customer-stats', 'analytics'] as const) await drained(t.queues[q]);

    expect(mail.subject).toContain(orderId);
    expect(mail.text).toContain('₹5,520.00');
    expect(t.smtp.received).toHaveLength(1);
    expect(t.customers.calls).toHaveLength(1);
    expect(t.customers.calls[0].body).toMatchObject({
      totalOrders: 1,
      totalSpent: 5520,
      ordersByStatus: { Placed: 1 },
    });
    const analytics = await request(t.app).get('/api/orders/analytics').set(as('admin'));
    expect(analytics.body.data).toMatchObject({
      totalOrders: 1,
      revenue: { gross: 5520, net: 5520 },
      averageOrderValue: 5520,
      itemsOrdered: 3,
    });
    expect(proc.output()).toMatch(
      /"workers":\["emails","customer-stats","analytics","refunds","webhooks","bulk","exports","upkeep"\]/,
    );
  }, 20_000);
});
