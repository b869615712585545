/**
 * `npm run demo [-- --orders N] [--timeout S]`: shows the whole job of the running service
 * (bash scripts/start.sh), through its public API only. Places orders for several
 * customers, moves some through Processing → Shipped → Delivered, cancels some, has one
 * returned (requested, approved, completed), replays an idempotent create, then waits until
 * every email is in the mailbox and every customer's statistics reached the Customer
 * stand-in, and prints a summary. Exits 1 if a step fails or the pipeline does not deliver
 * everything within the deadline. Safe to run again: it counts only what this run caused.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { MultiBar, Presets } from 'cli-progress';
import { config } from '../src/config';
import { DIRECTORY } from './dev-peers/directory';
import { devToken } from './dev-token';

const { values: args } = parseArgs({ options: { orders: { type: 'string', default: '25' }, timeout: { type: 'string', default: '120' } } });
const ORDERS = Number(args.orders);
const TIMEOUT_S = Number(args.timeout);
const API = `http://127.0.0.1:${config.PORT}`;
const MAILBOX = `http://${process.env.MAILPIT_UI ?? '127.0.0.1:8025'}`;
const CUSTOMERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const CATALOGUE = [
  { productId: 'PROD-001', productName: 'Wireless Headphones', sku: 'WH-NC-001', unitPrice: 2500, tax: 225 },
  { productId: 'PROD-002', productName: 'USB-C Cable', sku: 'CABLE-USBC-01', unitPrice: 500, tax: 45 },
  { productId: 'PROD-003', productName: 'Mechanical Keyboard', sku: 'KB-MX-87', unitPrice: 4200, tax: 378 },
  { productId: 'PROD-004', productName: 'Laptop Stand', sku: 'STAND-AL-02', unitPrice: 1800, tax: 162 },
];

class DemoError extends Error {}

const tokens = new Map<string, string>();
const tokenOf = (who: string) => tokens.get(who) ?? tokens.set(who, devToken(who)).get(who) ?? '';

/** One call of the API; anything but the expected status ends the demo with the answer. */
async function call<T = Record<string, unknown>>(who: string, method: string, path: string, body?: unknown, expected = [200, 201], headers: Record<string, string> = {}): Promise<{ data: T; res: Response }> {
  const res = await fetch(API + path, {
    method,
    headers: { authorization: `Bearer ${tokenOf(who)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { data?: T };
  if (!expected.includes(res.status)) throw new DemoError(`${method} ${path} as ${who} answered ${res.status}: ${JSON.stringify(json).slice(0, 400)}`);
  return { data: json.data as T, res };
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: config.METRICS_TOKEN && url.endsWith('/metrics') ? { authorization: `Bearer ${config.METRICS_TOKEN}` } : {} });
  if (!res.ok) throw new DemoError(`GET ${url} answered ${res.status}`);
  return (url.endsWith('/metrics') ? res.text() : res.json()) as Promise<T>;
}

const mailboxTotal = async () => (await json<{ total: number }>(`${MAILBOX}/api/v1/messages?limit=1`)).total;
interface StatisticsCall {
  customerId: string;
  body: { totalOrders: number };
  receivedAt: string;
}
const statisticsCalls = async () => (await json<{ received: StatisticsCall[] }>(config.CUSTOMER_SERVICE_URL)).received;

/** Jobs of the work queues not yet done, from the API's Prometheus metrics. */
async function jobsLeft(): Promise<number> {
  const text = await json<string>(`${API}/metrics`);
  let left = 0;
  for (const m of text.matchAll(/^orms_queue_jobs\{queue="(emails|customer-stats|analytics|refunds)",state="(waiting|active|delayed|prioritized)"\} (\d+)/gm)) left += Number(m[3]);
  return left;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Order `n` of a run: always the same body, so its replay is the same request. */
function orderBody(n: number) {
  const lines = 1 + (n % 3);
  return {
    deliveryAddress: { recipientName: 'Demo Customer', street: `${10 + n} MG Road`, city: 'Bengaluru', state: 'Karnataka', zipCode: '560001', country: 'India', phone: '+919876543210' },
    items: Array.from({ length: lines }, (_, i) => ({ ...CATALOGUE[(n + i) % CATALOGUE.length], quantity: 1 + ((n + i) % 3), discount: 0 })),
    notes: `Demo order ${n + 1}`,
  };
}

interface Placed {
  orderId: string;
  customer: string;
  status: string;
}

async function main(): Promise<void> {
  if (!Number.isInteger(ORDERS) || ORDERS < 5) throw new DemoError('--orders must be a whole number of at least 5');
  const ready = await fetch(`${API}/ready`).catch(() => null);
  if (ready?.status !== 200) throw new DemoError(`the service does not answer ${API}/ready with 200: start it with bash scripts/start.sh`);
  const run = randomUUID().slice(0, 8);
  const mailBefore = await mailboxTotal();
  const callsBefore = (await statisticsCalls()).length;
  let emails = 0; // emails this run's changes must send: one per committed event

  // Without a terminal (CI), the bars are printed every few seconds as lines of the log.
  const bars = new MultiBar({ format: ' {bar} {value}/{total} {task}', hideCursor: true, clearOnComplete: false, noTTYOutput: true, notTTYSchedule: 3000 }, Presets.shades_classic);
  const steps = ORDERS + 1 + Math.floor(ORDERS / 5) * 7 + 3; // places, the replay, each group of five, the return
  let stopped = false;
  const stopBars = () => {
    if (!stopped) bars.stop();
    stopped = true;
  };
  const work = bars.create(steps, 0, { task: 'placing and moving orders' });
  const step = (task: string) => work.increment({ task });
  const placed: Placed[] = [];
  // When each customer's orders last changed in a way their statistics follow.
  const changedAt = new Map<string, number>();
  const changed = (o: Placed) => changedAt.set(DIRECTORY[o.customer].customerId ?? o.customer, Date.now());
  try {
    for (let i = 0; i < ORDERS; i++) {
      const customer = CUSTOMERS[i % CUSTOMERS.length];
      const { data } = await call<{ orderId: string }>(customer, 'POST', '/api/orders', orderBody(i), [201], { 'Idempotency-Key': `demo-${run}-${i}` });
      placed.push({ orderId: data.orderId, customer, status: 'Placed' });
      changed(placed[i]);
      emails += 1;
      step(`placed ${data.orderId} for ${customer}`);
    }
    // A client that lost the answer sends the same request again: the same order comes back.
    const replay = await call<{ orderId: string }>(CUSTOMERS[0], 'POST', '/api/orders', orderBody(0), [201], { 'Idempotency-Key': `demo-${run}-0` });
    if (replay.res.headers.get('idempotent-replayed') !== 'true' || replay.data.orderId !== placed[0].orderId) throw new DemoError('the replayed create did not answer the first order');
    step('replayed an idempotent create');

    const move = async (o: Placed, ...statuses: string[]) => {
      for (const status of statuses) {
        await call('admin', 'PATCH', `/api/orders/${o.orderId}/status`, { status, notes: `Demo: ${status}` });
        o.status = status;
        changed(o);
        emails += 1;
        step(`${o.orderId} → ${status}`);
      }
    };
    for (let i = 0; i + 5 <= placed.length; i += 5) {
      const [a, b, c, d] = placed.slice(i, i + 4);
      await call(c.customer, 'POST', `/api/orders/${c.orderId}/cancel`, { reason: 'Changed my mind about this one', reasonCategory: 'Customer Request' });
      c.status = 'Cancelled';
      changed(c);
      emails += 1;
      step(`${c.orderId} cancelled by ${c.customer}`);
      await move(a, 'Processing', 'Shipped', 'Delivered');
      await move(b, 'Processing', 'Shipped');
      await move(d, 'Processing');
    }

    // One delivered order comes back: requested, approved with a refund, completed.
    const returned = placed.find((o) => o.status === 'Delivered');
    if (!returned) throw new DemoError('no order was delivered');
    const { data: order } = await call<{ items: { itemId: string; quantity: number; finalPrice: number }[] }>(returned.customer, 'GET', `/api/orders/${returned.orderId}`);
    const item = order.items[0];
    const { data: rr } = await call<{ returnId: string }>(returned.customer, 'POST', `/api/orders/${returned.orderId}/return`, {
      reason: 'The headphones crackle on the left side',
      reasonCategory: 'Defective',
      items: [{ orderItemId: item.itemId, quantity: item.quantity }],
    });
    emails += 1;
    step(`${rr.returnId} requested for ${returned.orderId}`);
    await call('admin', 'PATCH', `/api/orders/returns/${rr.returnId}/review`, { decision: 'approved', approvalNotes: 'Defect confirmed from the photos', refundAmount: item.finalPrice });
    emails += 1;
    step(`${rr.returnId} approved`);
    await move(returned, 'Returned');
    work.update(steps, { task: 'every change made' });

    // The pipeline: emails in the mailbox, each customer's totals at the Customer stand-in.
    const mail = bars.create(emails, 0, { task: 'emails in the mailbox' });
    const deadline = Date.now() + TIMEOUT_S * 1000;
    const customers = [...new Set(placed.map((o) => o.customer))];
    const expectedTotals = new Map<string, number>();
    for (const c of customers) {
      const { data } = await call<{ pagination: { totalItems: number } }>('admin', 'GET', `/api/orders?customerId=${DIRECTORY[c].customerId}&limit=1`);
      expectedTotals.set(DIRECTORY[c].customerId ?? c, data.pagination.totalItems);
    }
    const stats = bars.create(customers.length, 0, { task: 'customers whose statistics arrived' });
    let arrived = 0;
    let current: string[] = [];
    for (;;) {
      arrived = (await mailboxTotal()) - mailBefore;
      // Current: the last call for the customer came after its last change and has its total.
      const calls = (await statisticsCalls()).slice(callsBefore);
      const latest = new Map(calls.map((c) => [c.customerId, c]));
      current = [...expectedTotals]
        .filter(([id, total]) => {
          const c = latest.get(id);
          return c !== undefined && c.body.totalOrders === total && Date.parse(c.receivedAt) >= (changedAt.get(id) ?? 0);
        })
        .map(([id]) => id);
      mail.update(Math.min(arrived, emails));
      stats.update(current.length);
      if (arrived >= emails && current.length === expectedTotals.size && (await jobsLeft()) === 0) break;
      if (Date.now() > deadline) {
        stopBars();
        throw new DemoError(`after ${TIMEOUT_S} s: ${arrived} of ${emails} emails in the mailbox, statistics current for ${current.length} of ${expectedTotals.size} customers`);
      }
      await sleep(500);
    }
    stopBars();
    await summary(placed, emails, arrived, (await statisticsCalls()).length - callsBefore, expectedTotals);
  } finally {
    stopBars();
  }
}

async function summary(placed: Placed[], emails: number, arrived: number, calls: number, totals: Map<string, number>): Promise<void> {
  const byStatus = new Map<string, number>();
  for (const o of placed) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
  const { data: a } = await call<{ totalOrders: number; revenue: { gross: number; net: number; refunded: number }; returns: { completed: number } }>('admin', 'GET', '/api/orders/analytics');
  const inr = (n: number) => `₹${n.toLocaleString('en-IN', { minimumFractionDigits: 2 })}`;
  const lines = [
    '',
    `ORMS demo: ${placed.length} orders placed for ${totals.size} customers`,
    `  orders by status   ${[...byStatus].map(([s, n]) => `${s} ${n}`).join(', ')}`,
    `  emails             ${arrived} of ${emails} in the mailbox (one per change, counted through Mailpit's API)`,
    `  statistics         ${calls} calls received by the Customer stand-in; every customer's totals current (${[...totals].map(([c, n]) => `${c}: ${n}`).join(', ')})`,
    `  analytics          ${a.totalOrders} orders in all, gross ${inr(a.revenue.gross)}, refunded ${inr(a.revenue.refunded)}, net ${inr(a.revenue.net)}, ${a.returns.completed} returns completed`,
    '',
    `  API docs           ${API}/docs`,
    `  Bull Board         ${API}/admin/queues  (${config.BOARD_USER || 'off: set BOARD_USER'} / ${config.BOARD_PASSWORD || 'BOARD_PASSWORD'})`,
    `  mailbox            ${MAILBOX}`,
    `  Customer stand-in  ${config.CUSTOMER_SERVICE_URL}/  (what it received)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${err instanceof DemoError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
