import request from 'supertest';
import { Order, OrderEvent } from '../src/models';
import { settled } from './helpers/pipeline';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp({ workers: ['emails'], smtp: true });

const SHIPMENT = {
  carrier: 'Blue Dart',
  trackingNumber: 'BD-1234567_X',
  trackingUrl: 'https://track.example.com/BD-1234567_X',
};
const admin = () => as('admin');
const ship = (orderId: string, body: object) =>
  request(t.app).patch(`/api/orders/${orderId}/status`).set(admin()).send(body);
const correct = (orderId: string, body: object) =>
  request(t.app).put(`/api/orders/${orderId}/shipment`).set(admin()).send(body);
const mailsAbout = (orderId: string, subject: RegExp) =>
  t.smtp.received.filter((m) => m.subject.includes(orderId) && subject.test(m.subject));
const oneMail = (orderId: string, subject: RegExp) =>
  eventually(
    async () => {
      const mails = mailsAbout(orderId, subject);
      return mails.length ? mails : null;
    },
    10_000,
    `an email "${subject.source}" about ${orderId}`,
  );

describe('shipments with tracking', () => {
  it('ships with carrier and tracking: the order, the lists, the internal view and the history show it; the email names and links it', async () => {
    const orderId = await t.as('alice').placeOrder();
    await t.as('admin').move(orderId, 'Processing');
    const before = await request(t.app).get(`/api/orders/${orderId}`).set(as('alice'));

    const shipped = await ship(orderId, { status: 'Shipped', notes: 'Left the warehouse', shipment: SHIPMENT });

    expect(before.body.data.shipment).toBeNull();
    expect(shipped.status).toBe(200);
    const expected = { ...SHIPMENT, shippedAt: expect.any(String) };
    const order = await request(t.app).get(`/api/orders/${orderId}`).set(as('alice'));
    expect(order.body.data.shipment).toEqual(expected);
    const mine = await request(t.app).get('/api/orders/me').set(as('alice'));
    expect(mine.body.data.orders.find((o: { orderId: string }) => o.orderId === orderId).shipment).toEqual(expected);
    const desk = await request(t.app).get('/api/orders?status=Shipped').set(admin());
    expect(desk.body.data.orders.find((o: { orderId: string }) => o.orderId === orderId).shipment).toEqual(expected);
    const internal = await request(t.app)
      .get(`/api/orders/internal/customer/${order.body.data.customerId}`)
      .set('x-service-api-key', process.env.SERVICE_API_KEY as string);
    expect(internal.body.data.orders.find((o: { orderId: string }) => o.orderId === orderId).shipment).toEqual(
      expected,
    );
    const history = await eventually(
      async () => {
        const res = await request(t.app).get(`/api/orders/${orderId}/history`).set(as('alice'));
        return res.body.data.history.find((h: { newStatus: string }) => h.newStatus === 'Shipped');
      },
      5000,
      'the Shipped history row',
    );
    expect(history).toMatchObject({ previousStatus: 'Processing', notes: 'Left the warehouse', shipment: expected });
    const [mail] = await oneMail(orderId, /is now Shipped/);
    expect(mail.text).toContain('Blue Dart');
    expect(mail.text).toContain('BD-1234567_X');
    expect(mail.html).toContain(`href="${SHIPMENT.trackingUrl}"`);
  });

  it('refuses tracking that is malformed or goes with another status, in the envelope, and writes nothing', async () => {
    const orderId = await t.as('alice').placeOrder();
    const refused = [
      { status: 'Processing', shipment: SHIPMENT },
      { status: 'Shipped', shipment: { ...SHIPMENT, trackingNumber: 'BD 123/45' } },
      { status: 'Shipped', shipment: { ...SHIPMENT, trackingUrl: 'http://track.example.com/x' } },
      { status: 'Shipped', shipment: { ...SHIPMENT, carrier: '' } },
      { status: 'Shipped', shipment: { ...SHIPMENT, trackingNumber: 'x'.repeat(101) } },
      { status: 'Shipped', shipment: { carrier: 'Blue Dart' } },
    ];

    for (const body of refused) {
      const res = await ship(orderId, body);
      expect([JSON.stringify(body.shipment), res.status, res.body.errors?.[0]?.field]).toEqual([
        JSON.stringify(body.shipment),
        400,
        expect.stringMatching(/^shipment/),
      ]);
    }
    const stored = await Order.findOne({ orderId }).lean();
    expect(stored).toMatchObject({ status: 'Placed', shipment: null });
  });

  it('corrects the tracking of a shipped order: the order shows it, the history says "tracking updated", the customer is told once', async () => {
    const orderId = await t.as('alice').placeOrder();
    await t.as('admin').move(orderId, 'Processing');
    await ship(orderId, { status: 'Shipped', shipment: SHIPMENT });
    const shippedAt = (await request(t.app).get(`/api/orders/${orderId}`).set(admin())).body.data.shipment.shippedAt;

    const res = await correct(orderId, { carrier: 'Delhivery', trackingNumber: 'DL-99' });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      orderId,
      status: 'Shipped',
      shipment: { carrier: 'Delhivery', trackingNumber: 'DL-99', trackingUrl: null, shippedAt },
    });
    const order = await request(t.app).get(`/api/orders/${orderId}`).set(as('alice'));
    expect(order.body.data.shipment).toEqual({
      carrier: 'Delhivery',
      trackingNumber: 'DL-99',
      trackingUrl: null,
      shippedAt,
    });
    const row = await eventually(
      async () => {
        const h = await request(t.app).get(`/api/orders/${orderId}/history`).set(admin());
        return h.body.data.history.find((r: { notes: string | null }) => r.notes === 'tracking updated');
      },
      5000,
      'the "tracking updated" history row',
    );
    expect(row).toMatchObject({
      previousStatus: 'Shipped',
      newStatus: 'Shipped',
      shipment: { carrier: 'Delhivery', trackingNumber: 'DL-99' },
    });
    // Told once: the correction made one event, its email job has finished, and exactly one
    // email came of it, carrying that event's Message-ID.
    const events = await OrderEvent.find({ orderId, type: 'order.shipment_updated' }).lean();
    expect(events).toHaveLength(1);
    const job = await settled(t.queues.emails, events[0]._id);
    expect(await job.getState()).toBe('completed');
    const mails = mailsAbout(orderId, /Tracking updated/);
    expect(mails).toHaveLength(1);
    expect(mails[0].messageId).toContain(events[0]._id);
    expect(mails[0].text).toContain('DL-99');
  });

  it('refuses to correct tracking unless the order is Shipped: 400 in the envelope', async () => {
    const placed = await t.as('alice').placeOrder();
    const delivered = await t.as('alice').placeOrder();
    await t.as('admin').move(delivered, 'Processing', 'Shipped', 'Delivered');

    for (const orderId of [placed, delivered]) {
      const res = await correct(orderId, { carrier: 'Delhivery', trackingNumber: 'DL-99' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        success: false,
        message: 'Cannot update tracking',
        errors: [{ field: 'status' }],
      });
    }
    expect((await Order.findOne({ orderId: placed }).lean())?.shipment).toBeNull();
  });
});
