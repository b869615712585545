/**
 * `npm run demo [-- --orders N] [--timeout S]`: shows every capability of the running
 * service (bash scripts/start.sh), as shipped, through its public API only:
 * every queue worked; a webhook subscription to the receiver stand-in, one delivery refused
 * and dead-lettered, then replayed; orders for several customers, moved through
 * Processing → Shipped (with tracking) → Delivered, some cancelled, some moved by a bulk
 * change, one returned (requested, approved with a refund, completed); an idempotent
 * replay; then every email in the mailbox, every customer's statistics at the Customer
 * stand-in, every event delivered and verified at the receiver and once in the event feed
 * (walked from the start), analytics moved by exactly this run's money, a CSV export
 * downloaded and parsed, and the attention list. Prints a line per capability with its
 * counts; exits 1 naming the capability that fell short. Safe to run again: it counts only
 * what this run caused.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { MultiBar, Presets } from 'cli-progress';
import { config } from '../src/config';
import { DIRECTORY } from './dev-peers/directory';
import { API, DemoError, MAILBOX, STAND_INS, call, json, waitFor } from './demo/api';
import { exportOrders } from './demo/exports';
import { walkFeed } from './demo/feed';
import { everyQueueWorked, jobsLeft } from './demo/queues';
import { Receiver, deadLetterReplayed, subscribe } from './demo/webhooks';

const { values: args } = parseArgs({
  options: { orders: { type: 'string', default: '25' }, timeout: { type: 'string', default: '180' } },
});
const ORDERS = Number(args.orders);
const TIMEOUT_S = Number(args.timeout);
const CUSTOMERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const CATALOGUE = [
  { productId: 'PROD-001', productName: 'Wireless Headphones', sku: 'WH-NC-001', unitPrice: 2500, tax: 225 },
  { productId: 'PROD-002', productName: 'USB-C Cable', sku: 'CABLE-USBC-01', unitPrice: 500, tax: 45 },
  { productId: 'PROD-003', productName: 'Mechanical Keyboard', sku: 'KB-MX-87', unitPrice: 4200, tax: 378 },
  { productId: 'PROD-004', productName: 'Laptop Stand', sku: 'STAND-AL-02', unitPrice: 1800, tax: 162 },
];

const mailboxTotal = async () => (await json<{ total: number }>(`${MAILBOX}/api/v1/messages?limit=1`)).total;
interface StatisticsCall {
  customerId: string;
  body: { totalOrders: number };
  receivedAt: string;
}
const statisticsCalls = async () => (await json<{ received: StatisticsCall[] }>(STAND_INS)).received;

interface Revenue {
  gross: number;
  cancelled: number;
  refunded: number;
  net: number;
}
const analytics = async () =>
  (await call<{ totalOrders: number; revenue: Revenue }>('admin', 'GET', '/api/orders/analytics')).data;

/** Order `n` of a run: always the same body, so its replay is the same request. */
function orderBody(n: number) {
  const lines = 1 + (n % 3);
  return {
    deliveryAddress: {
      recipientName: 'Demo Customer',
      street: `${10 + n} MG Road`,
      city: 'Bengaluru',
      state: 'Karnataka',
      zipCode: '560001',
      country: 'India',
      phone: '+919876543210',
    },
    items: Array.from({ length: lines }, (_, i) => ({
      ...CATALOGUE[(n + i) % CATALOGUE.length],
      quantity: 1 + ((n + i) % 3),
      discount: 0,
    })),
    notes: `Demo order ${n + 1}`,
  };
}

interface Placed {
  orderId: string;
  customer: string;
  status: string;
  totalAmount: number;
  trackingNumber?: string;
}

const inr = (n: number) => `₹${n.toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const cents = (n: number) => Math.round(n * 100);

async function main(): Promise<void> {
  if (!Number.isInteger(ORDERS) || ORDERS < 5) throw new DemoError('--orders must be a whole number of at least 5');
  const ready = await fetch(`${API}/ready`).catch(() => null);
  if (ready?.status !== 200)
    throw new DemoError(`the service does not answer ${API}/ready with 200: start it with bash scripts/start.sh`);
  const lines: string[] = [];
  const report = (capability: string, text: string) => lines.push(`  ${capability.padEnd(15)} ${text}`);

  // Before anything: a queue nobody works would make a later step time out for no visible reason.
  const queues = await everyQueueWorked(30_000);
  report('queues', `${queues} of ${queues} worked (orms_queue_workers > 0 for each)`);

  const run = randomUUID().slice(0, 8);
  const startedAt = new Date();
  const mailBefore = await mailboxTotal();
  const callsBefore = (await statisticsCalls()).length;
  const moneyBefore = await analytics();
  const deadline = () => Date.now() + TIMEOUT_S * 1000;
  let emails = 0; // emails this run's changes must send: one per committed event

  const sub = await subscribe(new Receiver(`demo-${run}`));
  const replayed = await deadLetterReplayed(sub, deadline());

  // Without a terminal (CI), the bars are printed every few seconds as lines of the log.
  const bars = new MultiBar(
    {
      format: ' {bar} {value}/{total} {task}',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 3000,
    },
    Presets.shades_classic,
  );
  const groups = Math.floor(ORDERS / 5);
  const steps = ORDERS + 1 + groups * 7 + 1 + 3; // places, the replay, each group of five, the bulk change, the return
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
  const customerIdOf = (o: Placed) => DIRECTORY[o.customer].customerId ?? o.customer;
  const changed = (o: Placed) => changedAt.set(customerIdOf(o), Date.now());
  try {
    for (let i = 0; i < ORDERS; i++) {
      const customer = CUSTOMERS[i % CUSTOMERS.length];
      const { data } = await call<{ orderId: string; totalAmount: number }>(
        customer,
        'POST',
        '/api/orders',
        orderBody(i),
        [201],
        { 'Idempotency-Key': `demo-${run}-${i}` },
      );
      placed.push({ orderId: data.orderId, customer, status: 'Placed', totalAmount: data.totalAmount });
      changed(placed[i]);
      emails += 1;
      step(`placed ${data.orderId} for ${customer}`);
    }
    // A client that lost the answer sends the same request again: the same order comes back.
    const replay = await call<{ orderId: string }>(CUSTOMERS[0], 'POST', '/api/orders', orderBody(0), [201], {
      'Idempotency-Key': `demo-${run}-0`,
    });
    if (replay.res.headers.get('idempotent-replayed') !== 'true' || replay.data.orderId !== placed[0].orderId)
      throw new DemoError('idempotency: the replayed create did not answer the first order');
    step('replayed an idempotent create');

    const move = async (o: Placed, ...statuses: string[]) => {
      for (const status of statuses) {
        // Shipped with tracking, as a warehouse would report it; the order, its history and the email show it.
        const tracking = status === 'Shipped' ? `DEMO${run.toUpperCase()}${o.orderId.replace(/\W/g, '')}` : undefined;
        const shipment = tracking && {
          carrier: 'Blue Dart',
          trackingNumber: tracking,
          trackingUrl: `https://tracking.example.com/${tracking}`,
        };
        await call('admin', 'PATCH', `/api/orders/${o.orderId}/status`, {
          status,
          notes: `Demo: ${status}`,
          ...(shipment && { shipment }),
        });
        o.status = status;
        if (tracking) o.trackingNumber = tracking;
        changed(o);
        emails += 1;
        step(`${o.orderId} → ${status}`);
      }
    };
    for (let i = 0; i + 5 <= placed.length; i += 5) {
      const [a, b, c, d] = placed.slice(i, i + 4);
      await call(c.customer, 'POST', `/api/orders/${c.orderId}/cancel`, {
        reason: 'Changed my mind about this one',
        reasonCategory: 'Customer Request',
      });
      c.status = 'Cancelled';
      changed(c);
      emails += 1;
      step(`${c.orderId} cancelled by ${c.customer}`);
      await move(a, 'Processing', 'Shipped', 'Delivered');
      await move(b, 'Processing', 'Shipped');
      await move(d, 'Processing');
    }

    // The desk moves every order still Placed to Processing in one bulk change.
    const stillPlaced = placed.filter((o) => o.status === 'Placed');
    const { data: bulk } = await call<{ bulkId: string }>(
      'admin',
      'POST',
      '/api/orders/bulk/status',
      { orderIds: stillPlaced.map((o) => o.orderId), status: 'Processing', notes: 'Demo: bulk' },
      [202],
    );
    const bulkDone = await waitFor(
      async () => {
        const { data } = await call<{
          state: string;
          results: { orderId: string; outcome: string }[];
          error: string | null;
        }>('admin', 'GET', `/api/orders/bulk/${bulk.bulkId}`);
        if (data.state === 'failed') throw new DemoError(`bulk change: ${bulk.bulkId} failed: ${data.error}`);
        return data.state === 'completed' ? data : null;
      },
      deadline(),
      () => `bulk change: ${bulk.bulkId} did not complete within ${TIMEOUT_S} s`,
    );
    const bulkUpdated = bulkDone.results.filter((r) => r.outcome === 'updated').map((r) => r.orderId);
    if (bulkUpdated.length !== stillPlaced.length)
      throw new DemoError(
        `bulk change: ${bulkUpdated.length} of ${stillPlaced.length} orders updated (${JSON.stringify(bulkDone.results).slice(0, 300)})`,
      );
    for (const o of stillPlaced) {
      o.status = 'Processing';
      changed(o);
      emails += 1;
    }
    step(`${bulk.bulkId}: ${bulkUpdated.length} orders → Processing`);

    // One delivered order comes back: requested, approved with a refund, completed.
    const returned = placed.find((o) => o.status === 'Delivered');
    if (!returned) throw new DemoError('returns: no order was delivered');
    const { data: order } = await call<{ items: { itemId: string; quantity: number; finalPrice: number }[] }>(
      returned.customer,
      'GET',
      `/api/orders/${returned.orderId}`,
    );
    const item = order.items[0];
    const { data: rr } = await call<{ returnId: string }>(
      returned.customer,
      'POST',
      `/api/orders/${returned.orderId}/return`,
      {
        reason: 'The headphones crackle on the left side',
        reasonCategory: 'Defective',
        items: [{ orderItemId: item.itemId, quantity: item.quantity }],
      },
    );
    emails += 1;
    step(`${rr.returnId} requested for ${returned.orderId}`);
    await call('admin', 'PATCH', `/api/orders/returns/${rr.returnId}/review`, {
      decision: 'approved',
      approvalNotes: 'Defect confirmed from the photos',
      refundAmount: item.finalPrice,
    });
    emails += 1;
    step(`${rr.returnId} approved`);
    await move(returned, 'Returned');
    work.update(steps, { task: 'every change made' });

    // The pipeline: emails in the mailbox, each customer's totals at the Customer stand-in.
    const mail = bars.create(emails, 0, { task: 'emails in the mailbox' });
    const customers = [...new Set(placed.map((o) => o.customer))];
    const expectedTotals = new Map<string, number>();
    for (const c of customers) {
      const { data } = await call<{ pagination: { totalItems: number } }>(
        'admin',
        'GET',
        `/api/orders?customerId=${DIRECTORY[c].customerId}&limit=1`,
      );
      expectedTotals.set(DIRECTORY[c].customerId ?? c, data.pagination.totalItems);
    }
    const stats = bars.create(customers.length, 0, { task: 'customers whose statistics arrived' });
    let arrived = 0;
    let current: string[] = [];
    await waitFor(
      async () => {
        arrived = (await mailboxTotal()) - mailBefore;
        // Current: the last call for the customer came after its last change and has its total.
        const calls = (await statisticsCalls()).slice(callsBefore);
        const latest = new Map(calls.map((c) => [c.customerId, c]));
        current = [...expectedTotals]
          .filter(([id, total]) => {
            const c = latest.get(id);
            return (
              c !== undefined && c.body.totalOrders === total && Date.parse(c.receivedAt) >= (changedAt.get(id) ?? 0)
            );
          })
          .map(([id]) => id);
        mail.update(Math.min(arrived, emails));
        stats.update(current.length);
        return arrived >= emails && current.length === expectedTotals.size && (await jobsLeft()) === 0;
      },
      deadline(),
      () => {
        stopBars();
        return `emails or statistics: after ${TIMEOUT_S} s, ${arrived} of ${emails} emails in the mailbox, statistics current for ${current.length} of ${expectedTotals.size} customers`;
      },
    );
    stopBars();
    const statisticsCallCount = (await statisticsCalls()).length - callsBefore;

    report(
      'orders',
      `${placed.length} placed for ${expectedTotals.size} customers; now ${byStatus(placed)}; an idempotent replay answered the same order`,
    );
    report('emails', `${arrived} of ${emails} in the mailbox (one per change, counted through Mailpit's API)`);
    report(
      'statistics',
      `${statisticsCallCount} calls received by the Customer stand-in; every customer's totals current (${[...expectedTotals].map(([c, n]) => `${c}: ${n}`).join(', ')})`,
    );

    // Shipments: what was reported at Shipped is on the order, read back.
    const shipped = placed.filter((o) => o.trackingNumber);
    for (const o of shipped) {
      const { data } = await call<{ shipment: { trackingNumber: string; trackingUrl: string | null } | null }>(
        o.customer,
        'GET',
        `/api/orders/${o.orderId}`,
      );
      if (data.shipment?.trackingNumber !== o.trackingNumber || !data.shipment?.trackingUrl)
        throw new DemoError(`shipments: ${o.orderId} does not show its tracking (${JSON.stringify(data.shipment)})`);
    }
    if (!shipped.length) throw new DemoError('shipments: no order was shipped');
    report(
      'shipments',
      `${shipped.length} shipped with carrier, tracking number and https link, each read back on its order`,
    );
    report(
      'bulk change',
      `${bulk.bulkId}: ${bulkUpdated.length} of ${stillPlaced.length} orders moved Placed → Processing, each through the same use case as one change`,
    );
    report(
      'returns',
      `${rr.returnId}: requested, approved with a refund of ${inr(item.finalPrice)}, completed when the desk moved ${returned.orderId} to Returned`,
    );

    // Analytics moved by exactly this run's money: net = gross − cancelled − refunded.
    const moneyAfter = await analytics();
    const delta = (k: keyof Revenue) => (cents(moneyAfter.revenue[k]) - cents(moneyBefore.revenue[k])) / 100;
    const expected: Revenue = {
      gross: sum(placed.map((o) => o.totalAmount)),
      cancelled: sum(placed.filter((o) => o.status === 'Cancelled').map((o) => o.totalAmount)),
      refunded: item.finalPrice,
      net: 0,
    };
    expected.net = (cents(expected.gross) - cents(expected.cancelled) - cents(expected.refunded)) / 100;
    const moved: Revenue = {
      gross: delta('gross'),
      cancelled: delta('cancelled'),
      refunded: delta('refunded'),
      net: delta('net'),
    };
    const orderDelta = moneyAfter.totalOrders - moneyBefore.totalOrders;
    if (
      orderDelta !== placed.length ||
      (Object.keys(expected) as (keyof Revenue)[]).some((k) => cents(moved[k]) !== cents(expected[k]))
    ) {
      throw new DemoError(
        `analytics: this run moved ${orderDelta} orders and ${JSON.stringify(moved)}, expected ${placed.length} orders and ${JSON.stringify(expected)} (other traffic on this stack during the demo also counts)`,
      );
    }
    report(
      'analytics',
      `this run's ${orderDelta} orders: gross ${inr(moved.gross)} − cancelled ${inr(moved.cancelled)} − refunded ${inr(moved.refunded)} = net ${inr(moved.net)}`,
    );

    // Every event of this run is in the feed once, and reached the receiver, signed.
    const ours = new Set(placed.map((o) => o.orderId));
    let feed = await walkFeed();
    let ourEvents = feed.events.filter((e) => ours.has(e.orderId));
    await waitFor(
      async () => {
        if (ourEvents.length >= emails) return true;
        feed = await walkFeed();
        ourEvents = feed.events.filter((e) => ours.has(e.orderId));
        return ourEvents.length >= emails;
      },
      deadline(),
      () => `event feed: ${ourEvents.length} of this run's ${emails} events in the feed`,
    );
    const ids = ourEvents.map((e) => e.eventId);
    if (new Set(ids).size !== ids.length || ids.length !== emails)
      throw new DemoError(
        `event feed: ${ids.length} entries for this run's ${emails} events, ${ids.length - new Set(ids).size} of them repeated`,
      );
    report(
      'event feed',
      `walked from the start: ${feed.pages} pages, ${feed.events.length} events, this run's ${ids.length} each once`,
    );

    let delivered = new Set<string>();
    await waitFor(
      async () => {
        const received = await sub.receiver.received();
        const unverified = received.filter((r) => !r.verified);
        if (unverified.length)
          throw new DemoError(
            `webhooks: ${unverified.length} deliveries failed signature verification at the receiver (${unverified[0].deliveryId})`,
          );
        delivered = new Set(received.filter((r) => r.answered === 200).map((r) => r.eventId));
        return ids.every((id) => delivered.has(id));
      },
      deadline(),
      () =>
        `webhooks: ${ids.filter((id) => delivered.has(id)).length} of this run's ${ids.length} events delivered to the receiver stand-in`,
    );
    report(
      'webhooks',
      `${ids.length} of ${ids.length} events delivered to ${sub.webhookId} (receiver stand-in), every signature verified`,
    );
    report(
      'dead letter',
      `a ping the receiver refused (${replayed.firstAnswer}) was dead-lettered as ${replayed.deadLetterId}, replayed, and delivered`,
    );

    const exported = await exportOrders({ from: startedAt.toISOString() }, deadline());
    const missing = [...ours].filter((id) => !exported.orderIds.has(id));
    if (missing.length)
      throw new DemoError(
        `export: ${exported.exportId} lacks ${missing.length} of this run's orders (${missing.slice(0, 3).join(', ')})`,
      );
    report(
      'export',
      `${exported.exportId}: ${exported.rowCount} rows of orders placed since the run began, downloaded and parsed as CSV, this run's ${ours.size} among them`,
    );

    const { data: attention } = await call<{ counts: { orders: number; returns: number } }>(
      'admin',
      'GET',
      '/api/orders/attention',
    );
    report(
      'attention list',
      `${attention.counts.orders} overdue orders, ${attention.counts.returns} overdue return requests (overdue after ${config.FULFILMENT_SLA_HOURS} h / ${config.RETURN_REVIEW_SLA_HOURS} h: none of this run's yet)`,
    );

    process.stdout.write(
      [
        '',
        `ORMS demo ${run}: every capability, as shipped`,
        ...lines,
        '',
        `  API docs           ${API}/docs`,
        `  Bull Board         ${API}/admin/queues  (${config.BOARD_USER || 'off: set BOARD_USER'} / ${config.BOARD_PASSWORD || 'BOARD_PASSWORD'})`,
        `  mailbox            ${MAILBOX}`,
        `  stand-ins          ${STAND_INS}/  (what the Customer stand-in and the webhook receiver received)`,
        '',
      ].join('\n'),
    );
  } finally {
    stopBars();
  }
}

const sum = (ns: number[]) => ns.reduce((a, n) => a + cents(n), 0) / 100;

function byStatus(placed: Placed[]): string {
  const counts = new Map<string, number>();
  for (const o of placed) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s} ${n}`).join(', ');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `\ndemo failed: ${err instanceof DemoError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
