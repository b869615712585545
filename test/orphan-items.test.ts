import { Types } from 'mongoose';
import request from 'supertest';
import { OrderItem } from '../src/models';
import { ORPHAN_GRACE_MS, sweepOrphanItems } from '../src/services/orphan-items';
import { guideOrderBody } from './helpers/fixtures';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp();

/** A fresh ObjectId whose embedded time is `secondsAgo` in the past. */
const idFrom = (secondsAgo: number) => {
  const ts = (Math.floor(Date.now() / 1000) - secondsAgo).toString(16).padStart(8, '0');
  return new Types.ObjectId(ts + new Types.ObjectId().toHexString().slice(8));
};

const itemOf = (orderId: Types.ObjectId, secondsAgo: number) => ({
  _id: idFrom(secondsAgo),
  orderId,
  orderIdString: 'ORD-2026-999999',
  productId: 'P',
  productName: 'Orphan',
  quantity: 1,
  unitPrice: 100,
  totalPrice: 100,
  discount: 0,
  tax: 0,
  finalPrice: 100,
});

describe('the orphan-items sweeper', () => {
  it('removes items of an order that was never committed, once they are past the grace period', async () => {
    const placed = await request(t.app).post('/api/orders').set(as('alice')).send(guideOrderBody());
    const neverCommitted = new Types.ObjectId();
    const old = ORPHAN_GRACE_MS / 1000 + 60;
    await OrderItem.insertMany([itemOf(neverCommitted, old), itemOf(neverCommitted, old)]);
    const inFlight = new Types.ObjectId();
    await OrderItem.insertMany([itemOf(inFlight, 5)]);

    const { removed } = await sweepOrphanItems(null);

    expect(removed).toBe(2);
    expect(await OrderItem.countDocuments({ orderId: neverCommitted })).toBe(0);
    expect(await OrderItem.countDocuments({ orderId: inFlight })).toBe(1);
    expect(await OrderItem.countDocuments({ orderIdString: placed.body.data.orderId })).toBe(2);
  });

  it('keeps the items of committed orders even when they are old', async () => {
    const placed = await request(t.app).post('/api/orders').set(as('bob')).send(guideOrderBody());
    const later = new Date(Date.now() + ORPHAN_GRACE_MS + 60_000);

    await sweepOrphanItems(null, later);

    expect(await OrderItem.countDocuments({ orderIdString: placed.body.data.orderId })).toBe(2);
  });
});
