import { Types } from 'mongoose';
import { Order, OrderItem } from '../src/models';
import { IdClaim } from '../src/models/id-claim';
import { insertDocuments } from '../src/models/insert-documents';
import { insertOnce } from '../src/models/insert-once';
import { useTestApp } from './helpers/test-app';

useTestApp();

const order = (orderId: string) => ({
  _id: new Types.ObjectId(),
  orderId,
  userId: 'u-1',
  customerEmail: 'ann@example.com',
  customerName: 'Ann Lee',
  customerEmailLower: 'ann@example.com',
  customerNameLower: 'ann lee',
  deliveryAddress: {
    recipientName: 'Ann Lee',
    street: '1 Main St',
    city: 'Pune',
    state: 'MH',
    zipCode: '411001',
    country: 'India',
    phone: '+919800000000',
  },
  orderDate: new Date('2026-11-01T10:00:00Z'),
  status: 'Placed',
  totalAmount: 12_345,
  itemCount: 1,
  outbox: [
    {
      eventId: 'e-1',
      type: 'order.created',
      createdAt: new Date('2026-11-01T10:00:00Z'),
      change: { newStatus: 'Placed' },
    },
  ],
  outboxPending: true,
  idempotencyKey: `none:${orderId}`,
});

/** A stored document with the fields that differ between two inserts left out. */
const stored = async (id: Types.ObjectId) => {
  const doc = await Order.collection.findOne({ _id: id });
  if (!doc) throw new Error(`order ${id.toHexString()} was not stored`);
  const { _id, orderId, idempotencyKey, createdAt, updatedAt, ...rest } = doc;
  return {
    rest,
    ids: [_id, orderId, idempotencyKey].every(Boolean),
    times: [createdAt, updatedAt].every((t) => t instanceof Date),
  };
};

describe('inserting documents without the save machinery', () => {
  it('stores an order exactly as Model.create does: cast, schema defaults (nested ones too) and timestamps', async () => {
    const byCreate = await Order.create(order('ORD-2026-000001'));
    const [byInsert] = await insertDocuments<{ _id: Types.ObjectId }>(Order, [order('ORD-2026-000002')]);

    const a = await stored(byCreate._id);
    const b = await stored(byInsert._id);

    expect(b).toEqual(a);
    expect(b.ids && b.times).toBe(true);
    expect(b.rest).toMatchObject({
      cancellationReason: null,
      shipment: null,
      version: 0,
      outbox: [{ change: { previousStatus: null } }],
    });
  });

  it('runs every validator and writes nothing when one fails', async () => {
    const half = { ...order('ORD-2026-000003'), totalAmount: 10.5 };
    const line = {
      orderId: new Types.ObjectId(),
      orderIdString: 'ORD-2026-000003',
      productId: 'P',
      productName: 'Thing',
      quantity: 1,
      unitPrice: 100,
      totalPrice: 100,
      discount: 0,
      tax: 0,
      finalPrice: 100,
    };

    await expect(insertDocuments(Order, [half])).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(insertDocuments(OrderItem, [line, { ...line, quantity: 0 }])).rejects.toMatchObject({
      name: 'ValidationError',
    });

    expect(await Order.countDocuments({ orderId: 'ORD-2026-000003' })).toBe(0);
    expect(await OrderItem.countDocuments({ orderIdString: 'ORD-2026-000003' })).toBe(0);
  });

  it('lets a unique key decide, once: insertOnce is true for the first insert of a key and false after', async () => {
    const first = await insertOnce(IdClaim, { _id: 'ORD-2026-424242' });
    const again = await insertOnce(IdClaim, { _id: 'ORD-2026-424242' });

    expect([first, again]).toEqual([true, false]);
    expect(await IdClaim.collection.findOne({ _id: 'ORD-2026-424242' } as never)).toMatchObject({
      createdAt: expect.any(Date),
    });
  });
});
