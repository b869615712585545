import mongoose from 'mongoose';
import request from 'supertest';
import { operations, type Operation } from '../src/api/openapi/operations';
import { errorEnvelope } from '../src/api/openapi/responses';
import { WebhookDelivery } from '../src/models';
import { guideOrderBody } from './helpers/fixtures';
import { listen } from './helpers/orders';

import { useTestApp } from './helpers/test-app';
import { as, tokenFor, users } from './helpers/tokens';

/**
 * 5,000 generated requests (random and malformed bodies, wrong types, huge strings, `$`
 * operators, bad query strings, bad headers) across every operation: never a 5xx, every
 * error in the envelope, and no write from a request that was refused.
 * Reproduce a run with FUZZ_SEED=<seed>; FUZZ_REQUESTS sets how many.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
/** 5,000 requests take about 4 minutes alone and up to 10 beside the chaos suite on two cores. */
const TIME_BUDGET_MS = 14 * 60_000;

const t = useTestApp();
// One listening server built as the API process builds it, so the HTTP parser's refusals count too.
let server: Awaited<ReturnType<typeof listen>>;
let orderId: string;
let returnId: string;
let hook: Hook;
beforeAll(async () => {
  server = await listen(t.app);
  t.onClose(() => server.close());
  ({ orderId, returnId } = await t.as('alice').openReturn());
  hook = await arrangeWebhook();
}, 60_000);

/** Loopback is allowed in tests (WEBHOOK_ALLOW_PRIVATE_URLS); nothing listens on port 9, and no worker delivers here. */
const HOOK_URL = 'http://127.0.0.1:9/hook';

interface Hook {
  webhookId: string;
  /** A ping still pending (no worker runs here): redelivering it answers 409. */
  pending: string;
  /** A ping given the outcome a worker would write after its last attempt failed: redeliverable (once). */
  dead: string;
}

/** A subscription with two deliveries in its log, made through the API. */
async function arrangeWebhook(): Promise<Hook> {
  const { webhookId } = await t.as('admin').subscribe(HOOK_URL);
  const ping = async () => {
    const res = await request(t.app).post(`/api/orders/webhooks/${webhookId}/test`).set(as('admin'));
    if (res.status !== 202) throw new Error(`pinging ${webhookId} answered ${res.status}: ${res.text}`);
    return res.body.data.deliveryId as string;
  };
  const [pending, dead] = [await ping(), await ping()];
  await WebhookDelivery.updateOne(
    { _id: dead },
    { $set: { status: 'dead', attempts: 4, lastError: 'connect ECONNREFUSED 127.0.0.1:9' } },
  );
  return { webhookId, pending, dead };
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
const rnd = prng(SEED);

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '💥'.repeat(50),
  'x'.repeat(20_000),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  'ORD-2026-000001',
  '{"$gt":""}',
  'null',
  '1e309',
  '-0',
  '\ud800',
];
const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.005,
  1e308,
  -1e308,
  123456789012345,
  [],
  {},
  [[[[[]]]]],
  { $gt: '' },
  { $where: 'sleep(1000)' },
  { $ne: null },
  ['a', 1, null],
  ...WEIRD_STRINGS,
];

function weirdValue(): unknown {
  return rnd.pick(WEIRD_VALUES);
}

/** A valid body for the operation, the seed of most mutations. */
function validBody(op: Operation): Record<string, unknown> | undefined {
  switch (`${op.method} ${op.path}`) {
    case 'post /api/orders':
      return guideOrderBody();
    case 'post /api/orders/:orderId/cancel':
      return { reason: 'Ordered the wrong size by mistake', reasonCategory: 'Customer Request' };
    case 'post /api/orders/:orderId/return':
      return {
        reason: 'Product damaged during shipping',
        reasonCategory: 'Damaged',
        items: [{ orderItemId: '0123456789abcdef01234567', quantity: 1 }],
      };
    case 'put /api/orders/:orderId':
      return { notes: 'Leave with the neighbour' };
    case 'patch /api/orders/:orderId/status':
      return { status: 'Processing', notes: 'Picked' };
    case 'post /api/orders/bulk/status':
      return { orderIds: ['ORD-2026-000001', 'ORD-2026-000002'], status: 'Processing', notes: 'Bulk' };
    case 'post /api/orders/exports':
      return { format: 'csv', status: 'Placed', from: '2026-01-01', minAmount: 10 };
    case 'put /api/orders/:orderId/shipment':
      return {
        carrier: 'Blue Dart',
        trackingNumber: 'BD-1234567',
        trackingUrl: 'https://track.example.com/BD-1234567',
      };
    case 'patch /api/orders/returns/:returnId/review':
      return { decision: 'approved', approvalNotes: 'Approved after checking photos', refundAmount: 10 };
    case 'post /api/orders/webhooks':
      return {
        url: HOOK_URL,
        events: rnd.pick([['*'], ['order.created', 'return.reviewed']]),
        description: 'Fulfilment system',
      };
    case 'patch /api/orders/webhooks/:webhookId':
      return { url: HOOK_URL, events: ['order.cancelled'], active: rnd.next() < 0.5, description: null };
    default:
      return op.body ? {} : undefined;
  }
}

/** Changes one random place of a JSON value: drop, retype, enlarge, inject an operator. */
function mutate(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 4 || rnd.next() < 0.25) return weirdValue();
  if (Array.isArray(value)) {
    const copy = [...value];
    const r = rnd.next();
    if (r < 0.2) return [];
    if (r < 0.35) return Array.from({ length: 101 + rnd.int(50) }, () => copy[0] ?? weirdValue());
    if (copy.length) copy[rnd.int(copy.length)] = mutate(copy[rnd.int(copy.length)], depth + 1);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const r = rnd.next();
  if (r < 0.15 && keys.length) delete copy[rnd.pick(keys)];
  else if (r < 0.25) copy[rnd.pick(['$where', '$set', 'a.b', '__proto__', 'extra', 'constructor'])] = weirdValue();
  else if (keys.length) {
    const k = rnd.pick(keys);
    copy[k] = mutate(copy[k], depth + 1);
  }
  return copy;
}

/** Percent-encoding that decodes to no UTF-8 (a lone byte, a cut sequence, an overlong slash). */
const BROKEN_ENCODINGS = ['%ff', '%E0%A4%A', '%c0%af', '%', 'ORD-2026-%zz'];

/** JSON nested `depth` levels, as objects or arrays: to be refused before any per-key work. */
const DEPTHS = [100, 4000, 16_000];
const nestedJson = (depth: number, kind: 'object' | 'array'): string =>
  kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"":'.repeat(depth) + '0' + '}'.repeat(depth);

function fillPath(op: Operation): string {
  const id = () =>
    rnd.pick([
      orderId,
      orderId,
      'ORD-2026-999999',
      'nope',
      '%24where',
      'ORD-' + 'x'.repeat(300),
      '..%2F..',
      encodeURIComponent('💥'),
      returnId,
      ...BROKEN_ENCODINGS,
    ]);
  return op.path
    .replace(':orderId', id())
    .replace(
      ':returnId',
      rnd.pick([returnId, returnId, 'RET-2026-999999', '$ne', 'x'.repeat(100), rnd.pick(BROKEN_ENCODINGS)]),
    )
    .replace(
      ':customerId',
      rnd.pick([users.alice.customerId, 'c-unknown', '%00', 'x'.repeat(200), rnd.pick(BROKEN_ENCODINGS)]),
    )
    .replace(
      ':webhookId',
      rnd.pick([
        hook.webhookId,
        hook.webhookId,
        hook.webhookId,
        `wh_${'0'.repeat(24)}`,
        'wh_',
        `WH_${'a'.repeat(24)}`,
        'x'.repeat(300),
        '%24ne',
        rnd.pick(BROKEN_ENCODINGS),
      ]),
    )
    .replace(
      ':deliveryId',
      rnd.pick([
        hook.pending,
        hook.dead,
        hook.dead,
        `dlv_${'0'.repeat(32)}`,
        'dlv_x',
        'x'.repeat(300),
        rnd.pick(BROKEN_ENCODINGS),
      ]),
    )
    .replace(
      ':exportId',
      rnd.pick([`exp_${'0'.repeat(24)}`, 'exp_', 'x'.repeat(300), '%24ne', rnd.pick(BROKEN_ENCODINGS)]),
    )
    .replace(
      ':bulkId',
      rnd.pick([`blk_${'0'.repeat(24)}`, 'blk_', 'x'.repeat(300), '%24ne', rnd.pick(BROKEN_ENCODINGS)]),
    )
    .replace(
      ':id',
      rnd.pick(['emails-00000000-0000-4000-8000-000000000000', 'x'.repeat(400), rnd.pick(BROKEN_ENCODINGS)]),
    );
}

function randomQuery(): string {
  const params = [
    'page',
    'limit',
    'status',
    'sortBy',
    'sortOrder',
    'q',
    'from',
    'to',
    'minAmount',
    'maxAmount',
    'userId',
    'customerId',
    'reasonCategory',
    'orderId',
    'after',
    'junk',
    '$where',
    'page[$gt]',
  ];
  const values = [
    '1',
    '0',
    '-1',
    '51',
    '501',
    '1e3',
    '0x10',
    'abc',
    '',
    'Delivered',
    'delivered',
    'dead',
    'asc',
    'up',
    '2026-13-45',
    '2026-01-25',
    '999999999',
    '9999999999999999',
    'a'.repeat(5000),
    '%',
    '%00',
    '[]',
    '💥',
  ];
  const n = rnd.int(4);
  const parts: string[] = [];
  for (let i = 0; i < n; i++)
    parts.push(`${encodeURIComponent(rnd.pick(params))}=${encodeURIComponent(rnd.pick(values))}`);
  if (rnd.next() < 0.1) parts.push('limit=1&limit=2');
  return parts.length ? `?${parts.join('&')}` : '';
}

function randomHeaders(): Record<string, string> {
  const h: Record<string, string> = {};
  const r = rnd.next();
  if (r < 0.4) Object.assign(h, as('alice'));
  else if (r < 0.7) Object.assign(h, as('admin'));
  else if (r < 0.75)
    h.Authorization =
      'Bearer ' +
      rnd.pick(['', 'x', 'a.b.c', tokenFor({ sub: 'u-alice-000000000000001' }, { expiresIn: -10 }), 'é'.repeat(10)]);
  else if (r < 0.8) h.Authorization = rnd.pick(['Basic Zm9vOmJhcg==', 'Bearer', 'bearer ' + 'x'.repeat(9000)]);
  else if (r < 0.9) h['x-service-api-key'] = rnd.pick([process.env.SERVICE_API_KEY as string, 'wrong', '']);
  if (rnd.next() < 0.15) h['Idempotency-Key'] = rnd.pick(['k', 'valid-key-' + rnd.int(5), 'bad key!', 'x'.repeat(300)]);
  if (rnd.next() < 0.05) h['x-request-id'] = rnd.pick(['<script>', 'x'.repeat(500), 'ok-id']);
  return h;
}

/** What a refused request must not have changed. */
async function fingerprint(): Promise<string> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const names = [
    'orders',
    'order_items',
    'order_history',
    'return_requests',
    'idempotency_records',
    'webhooks',
    'webhook_deliveries',
  ];
  // All at once: one round trip's wait, not two, on a database chaos may be loading.
  const [versions, webhooks, pending, ...counts] = await Promise.all([
    db
      .collection('orders')
      .aggregate<{ v: number }>([{ $group: { _id: null, v: { $sum: '$version' } } }])
      .toArray(),
    // Every change of a subscription moves its updatedAt; a redelivery makes its delivery pending.
    db
      .collection('webhooks')
      .find({}, { projection: { _id: 0, updatedAt: 1 } })
      .sort({ updatedAt: -1 })
      .limit(1)
      .toArray(),
    db.collection('webhook_deliveries').countDocuments({ status: 'pending' }),
    ...names.map((n) => db.collection(n).countDocuments()),
  ]);
  return JSON.stringify([counts, versions[0]?.v ?? 0, webhooks[0]?.updatedAt ?? null, pending]);
}

describe(`fuzzing every operation (seed ${SEED})`, () => {
  it(
    `${REQUESTS} generated requests: no 5xx, every error in the envelope, no write from a refused request`,
    async () => {
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      let before = await fingerprint();

      // Stops short of the test's own timeout, so a slow run fails here with its count
      // rather than leaving requests running into the next test.
      const deadline = Date.now() + TIME_BUDGET_MS;
      let sent = 0;
      for (let i = 0; i < REQUESTS && failures.length < 5 && Date.now() < deadline; i++, sent++) {
        const op = rnd.pick(operations);
        const path = fillPath(op) + (op.method === 'get' || rnd.next() < 0.2 ? randomQuery() : '');
        let req = request(server.url)[op.method](path).set(randomHeaders());
        const kind = rnd.next();
        if (op.method !== 'get' || kind < 0.05) {
          if (kind < 0.1)
            req = req
              .set('content-type', 'application/json')
              .send(
                rnd.pick([
                  '{',
                  '{"a":',
                  'null',
                  '[]',
                  '"str"',
                  '{"a":1}garbage',
                  '\u0000',
                  '{"items":[' + '1,'.repeat(100) + '1]}',
                ]),
              );
          else if (kind < 0.15)
            req = req
              .set(
                'content-type',
                rnd.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']),
              )
              .send('reason=hello');
          else if (kind < 0.2)
            req = req
              .set('content-type', 'application/json')
              .send(nestedJson(rnd.pick(DEPTHS), rnd.pick(['object', 'array'] as const)));
          else
            req = req
              .set('content-type', 'application/json')
              .send(JSON.stringify((rnd.next() < 0.15 ? validBody(op) : mutate(validBody(op) ?? {})) ?? null));
        }
        const res = await req;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `#${i} ${op.method.toUpperCase()} ${path.slice(0, 120)} → ${res.status}`;
        // The subscription the paths name was deleted: a fresh one, so later requests reach past the lookup.
        if (op.method === 'delete' && res.status === 200 && res.body.data?.webhookId === hook.webhookId)
          hook = await arrangeWebhook();

        if (res.status >= 500 && !(op.path === '/ready' && res.status === 503))
          failures.push(`${where}: ${res.text.slice(0, 300)}`);
        if (res.status >= 400 && !errorEnvelope.safeParse(res.body).success)
          failures.push(`${where}: not the envelope: ${res.text.slice(0, 200)}`);
        // A successful read writes nothing to compare; everything else is checked.
        if (op.method === 'get' && res.status < 300) continue;
        const after = await fingerprint();
        if (res.status >= 400 && after !== before)
          failures.push(`${where}: a refused request changed the data ${before} → ${after}`);
        before = after;
      }

      if (failures.length) console.error(`fuzz seed ${SEED}:\n${failures.join('\n')}`);
      expect(failures).toEqual([]);
      expect({ sent }).toEqual({ sent: REQUESTS });
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
      // Some generated requests must have been valid, so the fuzz reached past validation.
      expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    },
    TIME_BUDGET_MS + 60_000,
  );

  it('JSON nested 100, 4,000 and 16,000 levels deep, as objects and as arrays, to every operation: always 400 naming the body', async () => {
    const answers: string[] = [];
    const before = await fingerprint();

    for (const op of operations) {
      for (const depth of DEPTHS) {
        for (const kind of ['object', 'array'] as const) {
          const path = op.path
            .replace(':orderId', orderId)
            .replace(':returnId', returnId)
            .replace(':customerId', 'c-x')
            .replace(':id', 'x')
            .replace(':webhookId', hook.webhookId)
            .replace(':deliveryId', hook.dead)
            .replace(':bulkId', `blk_${'0'.repeat(24)}`)
            .replace(':exportId', `exp_${'0'.repeat(24)}`);
          const res = await request(server.url)
            [op.method](path)
            .set(as('admin'))
            .set('content-type', 'application/json')
            .send(nestedJson(depth, kind));
          answers.push(`${op.method} ${op.path} ${depth} ${kind}: ${res.status} ${JSON.stringify(res.body.errors)}`);
        }
      }
    }

    expect(
      answers.filter(
        (a) => !a.endsWith(': 400 [{"field":"body","message":"JSON nested deeper than 32 levels is not accepted"}]'),
      ),
    ).toEqual([]);
    expect(await fingerprint()).toBe(before);
  }, 120_000);
});
