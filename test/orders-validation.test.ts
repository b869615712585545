import request from 'supertest';
import { IdempotencyRecord, Order, OrderItem } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';

const t = useTestApp();

type Body = ReturnType<typeof guideOrderBody>;
type Loose = Record<string, unknown>;

const item = (i: number, extra: Loose = {}) => ({
  productId: `PROD-${i}`,
  productName: `Thing ${i}`,
  quantity: 1,
  unitPrice: 10,
  ...extra,
});

/** A valid body with one change applied to its first item. */
const withItem = (change: (it: Loose) => void) => (b: Body) => {
  change(b.items[0] as Loose);
  return b;
};
/** A valid body with one change applied to its delivery address. */
const withAddress = (change: (a: Loose) => void) => (b: Body) => {
  change(b.deliveryAddress as Loose);
  return b;
};

const ADDRESS_FIELDS = ['recipientName', 'street', 'city', 'state', 'zipCode', 'country', 'phone'] as const;

/** One rule per row: the body breaks exactly that rule, and `field` names where. */
const cases: { rule: string; field: string; body: (b: Body) => unknown; message?: RegExp }[] = [
  { rule: 'deliveryAddress is required', field: 'deliveryAddress', body: ({ deliveryAddress: _, ...rest }) => rest },
  ...ADDRESS_FIELDS.map((f) => ({
    rule: `deliveryAddress.${f} is required`,
    field: `deliveryAddress.${f}`,
    body: withAddress((a) => delete a[f]),
  })),
  {
    rule: 'deliveryAddress.city may not be blank',
    field: 'deliveryAddress.city',
    body: withAddress((a) => (a.city = '   ')),
  },
  {
    rule: 'deliveryAddress takes no unknown fields',
    field: 'deliveryAddress.landmark',
    body: withAddress((a) => (a.landmark = 'Near the park')),
  },
  { rule: 'items is required', field: 'items', body: ({ items: _, ...rest }) => rest },
  { rule: 'items must hold at least one item', field: 'items', body: (b) => ({ ...b, items: [] }) },
  { rule: 'items must be an array', field: 'items', body: (b) => ({ ...b, items: item(1) }) },
  {
    rule: 'items holds at most 100 items',
    field: 'items',
    body: (b) => ({ ...b, items: Array.from({ length: 101 }, (_, i) => item(i)) }),
  },
  { rule: 'productId is required', field: 'items.0.productId', body: withItem((it) => delete it.productId) },
  { rule: 'productName is required', field: 'items.0.productName', body: withItem((it) => delete it.productName) },
  {
    rule: 'productName has at least 1 character',
    field: 'items.0.productName',
    body: withItem((it) => (it.productName = '')),
  },
  {
    rule: 'productName has at most 200 characters',
    field: 'items.0.productName',
    body: withItem((it) => (it.productName = 'x'.repeat(201))),
  },
  { rule: 'quantity is required', field: 'items.0.quantity', body: withItem((it) => delete it.quantity) },
  { rule: 'quantity must be greater than 0', field: 'items.0.quantity', body: withItem((it) => (it.quantity = 0)) },
  { rule: 'quantity may not be negative', field: 'items.0.quantity', body: withItem((it) => (it.quantity = -2)) },
  { rule: 'quantity must be a whole number', field: 'items.0.quantity', body: withItem((it) => (it.quantity = 1.5)) },
  {
    rule: 'quantity must be a number, not a string',
    field: 'items.0.quantity',
    body: withItem((it) => (it.quantity = '2')),
  },
  { rule: 'unitPrice is required', field: 'items.0.unitPrice', body: withItem((it) => delete it.unitPrice) },
  { rule: 'unitPrice must be greater than 0', field: 'items.0.unitPrice', body: withItem((it) => (it.unitPrice = 0)) },
  { rule: 'unitPrice may not be negative', field: 'items.0.unitPrice', body: withItem((it) => (it.unitPrice = -5)) },
  {
    rule: 'unitPrice has at most two decimals',
    field: 'items.0.unitPrice',
    body: withItem((it) => (it.unitPrice = 2500.005)),
  },
  {
    rule: 'discount may not exceed the line total',
    field: 'items.0.discount',
    body: withItem((it) => (it.discount = 5000.01)),
  },
  { rule: 'discount may not be negative', field: 'items.0.discount', body: withItem((it) => (it.discount = -1)) },
  {
    rule: 'discount has at most two decimals',
    field: 'items.0.discount',
    body: withItem((it) => (it.discount = 0.125)),
  },
  { rule: 'tax may not be negative', field: 'items.0.tax', body: withItem((it) => (it.tax = -0.01)) },
  { rule: 'tax has at most two decimals', field: 'items.0.tax', body: withItem((it) => (it.tax = 1.234)) },
  { rule: 'an item takes no unknown fields', field: 'items.0.color', body: withItem((it) => (it.color = 'red')) },
  { rule: 'the body takes no unknown fields', field: 'status', body: (b) => ({ ...b, status: 'Delivered' }) },
  { rule: 'the body may not set the total', field: 'totalAmount', body: (b) => ({ ...b, totalAmount: 1 }) },
  {
    rule: 'no key may start with $ (top level)',
    field: '$where',
    body: (b) => ({ ...b, $where: 'sleep(1000)' }),
    message: /\$/,
  },
  {
    rule: 'no key may start with $ (nested)',
    field: 'items.0.unitPrice.$gt',
    body: withItem((it) => (it.unitPrice = { $gt: 0 })),
    message: /\$/,
  },
  {
    rule: 'no key may contain a dot',
    field: 'deliveryAddress.city.name',
    body: withAddress((a) => (a['city.name'] = 'x')),
    message: /dot/,
  },
  {
    rule: 'the order total must be greater than 0',
    field: 'items',
    body: (b) => ({ ...b, items: [item(1, { unitPrice: 100, discount: 100, tax: 0 })] }),
  },
];

describe('POST /api/orders refuses a body that breaks a rule, names the field, and writes nothing', () => {
  it.each(cases)('when $rule, it answers 400 naming $field', async ({ field, body, message }) => {
    const ordersBefore = await Order.countDocuments();
    const itemsBefore = await OrderItem.countDocuments();

    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .send(body(guideOrderBody()) as object);

    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(typeof res.body.message).toBe('string');
    expect(res.body.data).toBeUndefined();
    const fields = (res.body.errors as { field: string; message: string }[]).map((e) => e.field);
    expect([...new Set(fields)]).toEqual([field]);
    for (const e of res.body.errors)
      expect(e.message).toEqual(message ? expect.stringMatching(message) : expect.any(String));
    expect(await Order.countDocuments()).toBe(ordersBefore);
    expect(await OrderItem.countDocuments()).toBe(itemsBefore);
  });

  it('when the body is not an object at all, it answers 400 and writes nothing', async () => {
    const before = await Order.countDocuments();

    const res = await request(t.app).post('/api/orders').set(as('alice')).send([guideOrderBody()]);

    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(await Order.countDocuments()).toBe(before);
  });

  it('when several rules are broken, it names every offending field', async () => {
    const body = guideOrderBody() as Loose & Body;
    delete (body.deliveryAddress as Loose).phone;
    (body.items[1] as Loose).quantity = 0;

    const res = await request(t.app).post('/api/orders').set(as('alice')).send(body);

    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['deliveryAddress.phone', 'items.1.quantity']));
  });

  it('when the body breaks a rule and carries an Idempotency-Key, the key is not spent', async () => {
    const res = await request(t.app)
      .post('/api/orders')
      .set(as('alice'))
      .set('Idempotency-Key', 'validation-key-0001')
      .send({ ...guideOrderBody(), items: [] });

    expect(res.status).toBe(400);
    expect(await IdempotencyRecord.countDocuments()).toBe(0);
  });
});

describe('POST /api/orders accepts every boundary value the rules allow', () => {
  it('when an order has 100 items, a 200-character productName, two-decimal prices and a discount equal to the line total, it is placed', async () => {
    const items = Array.from({ length: 100 }, (_, i) => item(i, { unitPrice: 0.01, quantity: 3 }));
    items[0] = item(0, { productName: 'n'.repeat(200), unitPrice: 19.99, quantity: 2, discount: 39.98, tax: 0 });
    const body = { ...guideOrderBody(), items };

    const res = await request(t.app).post('/api/orders').set(as('alice')).send(body);

    expect(res.status).toBe(201);
    expect(res.body.data.items).toHaveLength(100);
    expect(res.body.data.items[0]).toMatchObject({ productName: 'n'.repeat(200), unitPrice: 19.99, finalPrice: 0 });
    expect(res.body.data.totalAmount).toBe(2.97); // 99 lines × 3 × 0.01
    expect(res.body.data.itemCount).toBe(2 + 99 * 3);
    expect(await OrderItem.countDocuments({ orderIdString: res.body.data.orderId })).toBe(100);
  });
});
