import mongoose from 'mongoose';
import { useTestApp } from './helpers/test-app';

// The app's start creates every index of every model on this file's database.
useTestApp();

// The indexes of the guide's section 2.2, by collection (the text index is replaced by
// indexed lower-cased shadow fields, checked below).
const GUIDE_INDEXES: Record<string, { key: Record<string, number>; unique?: boolean }[]> = {
  orders: [
    { key: { orderId: 1 }, unique: true },
    { key: { userId: 1 } },
    { key: { customerId: 1 } },
    { key: { status: 1 } },
    { key: { orderDate: -1 } },
    { key: { userId: 1, status: 1 } },
    { key: { orderDate: -1, status: 1 } },
  ],
  order_items: [{ key: { orderId: 1 } }, { key: { productId: 1 } }, { key: { returnRequested: 1 } }],
  order_history: [{ key: { orderId: 1 } }, { key: { timestamp: -1 } }, { key: { orderId: 1, timestamp: -1 } }],
  return_requests: [
    { key: { orderId: 1 } },
    { key: { userId: 1 } },
    { key: { status: 1 } },
    { key: { requestedAt: -1 } },
  ],
};

async function indexesOf(collection: string) {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  return db.collection(collection).indexes();
}

describe('indexes created at start', () => {
  it.each(Object.entries(GUIDE_INDEXES))('%s has every index of the guide', async (collection, wanted) => {
    const existing = await indexesOf(collection);

    for (const { key, unique } of wanted) {
      const found = existing.find((ix) => JSON.stringify(ix.key) === JSON.stringify(key));
      expect({ collection, key, found: Boolean(found) }).toEqual({ collection, key, found: true });
      if (unique) expect(found?.unique).toBe(true);
    }
  });

  it('orders has the indexed lower-cased shadows that replace the text index for search', async () => {
    const keys = (await indexesOf('orders')).map((ix) => JSON.stringify(ix.key));

    expect(keys).toEqual(
      expect.arrayContaining([JSON.stringify({ customerEmailLower: 1 }), JSON.stringify({ customerNameLower: 1 })]),
    );
  });

  it('the overdue queries have the compound indexes their sorts need: orders by status then date, return requests by status then request time', async () => {
    const orders = (await indexesOf('orders')).map((ix) => JSON.stringify(ix.key));
    const returns = (await indexesOf('return_requests')).map((ix) => JSON.stringify(ix.key));

    expect(orders).toContain(JSON.stringify({ status: 1, orderDate: 1 }));
    expect(returns).toContain(JSON.stringify({ status: 1, requestedAt: 1 }));
  });

  it('order_history has a unique index on the event id, so a re-relayed event writes no second row', async () => {
    const history = await indexesOf('order_history');

    expect(history.find((ix) => JSON.stringify(ix.key) === JSON.stringify({ eventId: 1 }))?.unique).toBe(true);
  });
});
