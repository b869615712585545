import request from 'supertest';
import { Order, OrderHistory, OrderItem } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp();

describe('placing an order', () => {
  it('prices the guide example: totalAmount 5520, itemCount 3, finalPrice 4975 and 545, status Placed', async () => {
    const res = await request(t.app).post('/api/orders').set(as('alice')).send(guideOrderBody());

    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.message).toBe('Order placed successfully');
    const d = res.body.data;
    expect(d.orderId).toMatch(new RegExp(`^ORD-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(d.totalAmount).toBe(5520);
    expect(d.itemCount).toBe(3);
    expect(d.status).toBe('Placed');
    expect(d.items.map((i: { finalPrice: number }) => i.finalPrice)).toEqual([4975, 545]);
    expect(d.items[0]).toMatchObject({ totalPrice: 5000, discount: 250, tax: 225, unitPrice: 2500, quantity: 2 });
    expect(d.items[0].itemId).toMatch(/^[0-9a-f]{24}$/);
    expect(d).toMatchObject({
      customerEmail: 'Alice.Doe@Example.com',
      customerName: 'Alice Doe',
      userId: 'u-alice-000000000000001',
    });
  });

  it('gives two orders consecutive ids', async () => {
    const a = await request(t.app).post('/api/orders').set(as('alice')).send(guideOrderBody());
    const b = await request(t.app).post('/api/orders').set(as('bob')).send(guideOrderBody());

    const seq = (id: string) => Number(id.slice(-6));
    expect(seq(b.body.data.orderId)).toBe(seq(a.body.data.orderId) + 1);
  });

  it('stores the items in order_items, the metadata, and a Placed history row', async () => {
    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .set('user-agent', 'orms-test/1.0')
      .set('x-client-platform', 'android')
      .send(guideOrderBody());

    const order = await Order.findOne({ orderId: res.body.data.orderId }).lean();
    expect(order?.metadata).toMatchObject({ userAgent: 'orms-test/1.0', platform: 'android' });
    expect(order?.metadata?.ipAddress).toBeTruthy();
    expect(order?.customerId).toBe('c-alice');
    expect(order?.outbox).toEqual([]);
    expect(await OrderItem.countDocuments({ orderId: order?._id })).toBe(2);
    const history = await OrderHistory.find({ orderId: order?._id }).lean();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      previousStatus: null,
      newStatus: 'Placed',
      changedBy: 'u-alice-000000000000001',
      changedByRole: 'Customer',
    });
  });

  it('enqueues order.created for email, statistics and analytics, keyed by the event id', async () => {
    const res = await request(t.app).post('/api/orders').set(as('alice')).send(guideOrderBody());
    const history = await OrderHistory.findOne({ orderIdString: res.body.data.orderId }).lean();

    for (const q of [t.queues.emails, t.queues['customer-stats'], t.queues.analytics]) {
      const job = await q.getJob(history!.eventId);
      expect(job?.name).toBe('order.created');
      expect(job?.data).toMatchObject({ orderId: res.body.data.orderId, type: 'order.created', newStatus: 'Placed' });
      expect(JSON.stringify(job?.data)).not.toMatch(/Alice Doe|example\.com|Main Street|Bangalore/i);
    }
  });

  it('answers 502 when the Auth Service cannot be reached, and writes nothing', async () => {
    const before = await Order.countDocuments();
    await t.auth.close();

    const res = await request(t.app).post('/api/orders').set(as('alice')).send(guideOrderBody());

    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ success: false, message: 'Auth Service unavailable' });
    expect(await Order.countDocuments()).toBe(before);
  });
});
