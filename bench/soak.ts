import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { MongoClient, type Db } from 'mongodb';
import { startFakeCustomerService } from './capacity';
import { BENCH_DB, METRICS_TOKEN, MONGO_HOST_URI, QUEUE_PREFIX, REDIS_URL, RESULTS_DIR } from './config';
import { obliterateQueues } from './floors';
import { replaceBlock } from './report';
import { CREATE_BODY } from './scenarios';
import {
  adminToken,
  build,
  creatorOf,
  customerToken,
  listenFake,
  serviceEnv,
  startApi,
  startFakeAuth,
  startSmtpSink,
  startWorkers,
  type Closable,
  type ServiceProcess,
} from './stack';
import { freePort, log, memoryOf, percentiles, round, sleep } from './util';
import { WORK_QUEUE_NAMES } from '../src/shared/names';
import { queuePrefix } from '../src/queues/prefix';

/**
 * `BENCH_ONLY=soak npm run bench` (issue 24): does anything grow without limit?
 * BENCH_SOAK_ORDERS orders at a steady BENCH_SOAK_RATE per second through the whole
 * pipeline as shipped (one API, one worker process working every queue: emails to an SMTP
 * sink, statistics to a Customer Service stand-in, analytics, a webhook subscription to a
 * local receiver, the feed walked as a consumer would), with every retention window cut to
 * BENCH_SOAK_WINDOW_SECONDS so the windows turn over several times during the run. Every
 * BENCH_SOAK_STEP orders it records Redis's used_memory and keys per family, each
 * collection's count and size, and the API's and the worker's RSS.
 * Targets: once the first window has passed, each windowed family grows ≤ 2% of its size
 * per 1,000 orders; RSS grows ≤ 10% from the second quarter of the run to the last.
 */
const ORDERS = Number(process.env.BENCH_SOAK_ORDERS ?? 5000);
// Below what this machine sustains (two shared cores run the load, FerretDB, PostgreSQL, the
// API and the workers): at 5 per second the analytics queue, one job at a time, fell
// behind, and a soak past its capacity measures its backlog, not what it keeps.
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 4);
const WINDOW_S = Number(process.env.BENCH_SOAK_WINDOW_SECONDS ?? 180);
const STEP = Number(process.env.BENCH_SOAK_STEP ?? 1000);
/** Every tenth order is cancelled by its customer: the cancellation's effects and refunds too. */
const CANCEL_EVERY = 10;
const DRAIN_CAP_MS = 5 * 60_000;

/**
 * The retention settings, each cut to the soak's window in its own unit, and the upkeep
 * that applies them run often enough to keep up. Business records (orders, items,
 * history, returns) are kept by design and are not windowed.
 */
function windowedEnv(windowS: number): Record<string, string> {
  const days = String(windowS / 86_400);
  const hours = String(windowS / 3600);
  return {
    EVENT_FEED_RETENTION_DAYS: days,
    WEBHOOK_DELIVERY_RETENTION_DAYS: days,
    WEBHOOK_MARK_RETENTION_DAYS: days,
    BULK_RETENTION_DAYS: days,
    EMAIL_DELIVERY_RETENTION_DAYS: days,
    ANALYTICS_MARK_RETENTION_DAYS: days,
    ATTENTION_CHECK_RETENTION_DAYS: days,
    IDEMPOTENCY_RETENTION_HOURS: hours,
    JOB_KEEP_COMPLETED_SECONDS: String(windowS),
    JOB_KEEP_FAILED_SECONDS: String(windowS),
    // The late-jobs floor (WEBHOOK_MAX_ATTEMPTS × this, and the reconciliation's window)
    // within the window too, or the records a late job needs would outlive the run.
    WEBHOOK_MAX_RETRY_DELAY_MS: String(Math.floor((windowS * 1000) / 12)),
    RECONCILE_WINDOW_HOURS: hours,
    RECONCILE_AFTER_MS: '60000',
    MAINTENANCE_INTERVAL_MS: '20000',
  };
}

/**
 * Families of data that grow with traffic and have a retention window: Redis key families
 * by name, and collections. Anything else measured is reported, not judged.
 */
const WINDOWED_COLLECTIONS = [
  'webhook_deliveries',
  'webhook_marks',
  'event_feed',
  'idempotency_records',
  'email_deliveries',
  'analytics_applied_events',
  'attention_checks',
  'bulk_operations',
];

interface Checkpoint {
  orders: number;
  atS: number;
  redis: { usedMemoryMb: number; keys: number; families: Record<string, { keys: number; kb: number }> };
  collections: Record<string, { count: number; kb: number | null }>;
  rssMb: { api: number; workers: number };
  /** Jobs still to run (waiting, running, delayed) per queue: work in hand, not data kept. */
  backlog: Record<string, number>;
  /** How long the API took to answer the creates of the orders since the last checkpoint, ms. */
  createMs: { p50: number; p95: number; max: number };
}

interface Growth {
  family: string;
  kind: 'redis' | 'collection';
  size: number;
  perThousandOrders: number;
  /** growth per 1,000 orders ÷ size, %. */
  pct: number;
  pass: boolean;
  /** How it was judged when not plainly (a family kept by count, one too small to judge, one less its backlog). */
  note?: string;
}

export interface SoakReport {
  startedAt: string;
  finishedAt: string;
  settings: {
    orders: number;
    ratePerS: number;
    windowS: number;
    step: number;
    cancelEvery: number;
    env: Record<string, string>;
  };
  environment: { cpus: number; loadAverageAtStart: string; loadAverageAtEnd?: string };
  pipeline: {
    ordersPlaced: number;
    cancelled: number;
    emailsAccepted: number;
    statisticsUpdates: number;
    webhooksReceived: number;
    feedEventsWalked: number;
    failedJobs: number;
    drainedAfterS: number | null;
  };
  checkpoints: Checkpoint[];
  /** Every 5 s: RSS, and the V8 heap in use (from each process's /metrics), MB. */
  rssSamples: { atS: number; orders: number; api: number; workers: number; apiHeap?: number; workersHeap?: number }[];
  growth: Growth[];
  rss: {
    api: { q2Mb: number; q4Mb: number; growthPct: number; pass: boolean };
    workers: { q2Mb: number; q4Mb: number; growthPct: number; pass: boolean };
  };
  /** The heap in use, the same quarters: what the process holds, where RSS also counts what V8 has not returned. */
  heap?: {
    api: { q2Mb: number; q4Mb: number; growthPct: number };
    workers: { q2Mb: number; q4Mb: number; growthPct: number };
  };
  error?: string;
}

/** A webhook receiver that answers 200 to every delivery and counts them. */
async function startReceiver(): Promise<Closable & { url: string; calls(): number }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return listenFake(server, () => calls);
}

const BULLMQ_KEYS = new Set([
  'wait',
  'paused',
  'active',
  'delayed',
  'prioritized',
  'completed',
  'failed',
  'events',
  'meta',
  'id',
  'stalled-check',
  'stalled',
  'marker',
  'pc',
  'limiter',
  'repeat',
  'waiting-children',
  'metrics',
  'de',
]);

/** The family of a key: `<queue> <BullMQ structure>`, `<queue> jobs` for job hashes, or its first segments. */
function familyOf(key: string): string {
  const queue = /^\{[^:}]+:([^}]+)\}:[^:]+:(.*)$/.exec(key);
  if (queue) {
    const [, name, rest] = queue;
    const head = rest.split(':')[0];
    if (BULLMQ_KEYS.has(head)) return `${name} ${head}`;
    if (rest.endsWith(':logs')) return `${name} job logs`;
    if (rest.endsWith(':lock')) return `${name} job locks`;
    if (head.startsWith('repeat')) return `${name} repeat`;
    return `${name} jobs`;
  }
  return key.split(':').slice(0, 2).join(':');
}

const backlogText = (b: Record<string, number>): string =>
  Object.entries(b)
    .filter(([, n]) => n > 0)
    .map(([q, n]) => `${q} ${n}`)
    .join(', ') || '0';

function createLatency(times: readonly number[]): Checkpoint['createMs'] {
  const [p50, p95, max] = percentiles(times, [50, 95, 100]).map((ms) => round(ms, 0));
  return { p50, p95, max };
}

async function redisFigures(redis: Redis): Promise<Checkpoint['redis']> {
  const families: Record<string, { keys: number; kb: number }> = {};
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `*${QUEUE_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of batch) pipe.memory('USAGE', k);
    const sizes = (await pipe.exec()) ?? [];
    batch.forEach((k, i) => {
      const f = (families[familyOf(k)] ??= { keys: 0, kb: 0 });
      f.keys++;
      f.kb += Number(sizes[i]?.[1] ?? 0) / 1024;
      keys++;
    });
  } while (cursor !== '0');
  for (const f of Object.values(families)) f.kb = round(f.kb, 1);
  const usedMemory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  return { usedMemoryMb: round(usedMemory / 2 ** 20, 2), keys, families };
}

async function collectionFigures(db: Db): Promise<Checkpoint['collections']> {
  const out: Checkpoint['collections'] = {};
  for (const { name } of await db.listCollections().toArray()) {
    try {
      const s = await db.command({ collStats: name });
      out[name] = { count: Number(s.count ?? 0), kb: s.size === undefined ? null : round(Number(s.size) / 1024, 1) };
    } catch {
      out[name] = { count: await db.collection(name).estimatedDocumentCount(), kb: null };
    }
  }
  return out;
}

/** Redis families smaller than this at both ends hold keys of jobs in hand (locks, the wait list, debounce marks): shown, not judged. */
const TRANSIENT_KEYS = 50;
/** Upkeep ticks are kept by count, not age (src/workers/upkeep.ts): 1,000 completed and 1,000 failed, and one job per scheduler. */
const UPKEEP_KEPT = 2_000 + 10;

/**
 * Growth per 1,000 orders between the first checkpoint after a whole window and the last, as
 * % of the last size. A queue's job hashes are counted less its backlog at each end: jobs
 * still to run are work in hand, which the backlog column shows, not data kept.
 */
export function growthOf(checkpoints: Checkpoint[], windowS: number): Growth[] {
  const last = checkpoints.at(-1);
  // After the first window has passed and the retention run that follows it (20 s) has run.
  const first = checkpoints.find((c) => c.atS >= windowS + 30 && c !== last);
  if (!last || !first || last.orders === first.orders) return [];
  const thousands = (last.orders - first.orders) / 1000;
  const out: Growth[] = [];
  const judge = (family: string, kind: Growth['kind'], a: number, b: number, note?: string) => {
    const perThousandOrders = round((b - a) / thousands, 1);
    const pct = b > 0 ? round((100 * perThousandOrders) / b, 2) : 0;
    out.push({ family, kind, size: b, perThousandOrders, pct, pass: pct <= 2, ...(note && { note }) });
  };
  for (const [family, f] of Object.entries(last.redis.families)) {
    const before = first.redis.families[family]?.keys ?? 0;
    const queue = / jobs$/.test(family) ? family.slice(0, -' jobs'.length) : null;
    if (family.startsWith('upkeep ')) {
      out.push({
        family,
        kind: 'redis',
        size: f.keys,
        perThousandOrders: round((f.keys - before) / thousands, 1),
        pct: 0,
        pass: f.keys <= UPKEEP_KEPT,
        note: `kept by count: at most ${UPKEEP_KEPT}`,
      });
    } else if (before < TRANSIENT_KEYS && f.keys < TRANSIENT_KEYS) {
      out.push({
        family,
        kind: 'redis',
        size: f.keys,
        perThousandOrders: round((f.keys - before) / thousands, 1),
        pct: 0,
        pass: true,
        note: `jobs in hand, under ${TRANSIENT_KEYS} keys`,
      });
    } else if (queue && queue in last.backlog) {
      judge(
        family,
        'redis',
        before - (first.backlog[queue] ?? 0),
        f.keys - last.backlog[queue],
        `less the backlog (${first.backlog[queue] ?? 0} then ${last.backlog[queue]})`,
      );
    } else judge(family, 'redis', before, f.keys);
  }
  for (const name of WINDOWED_COLLECTIONS) {
    if (!last.collections[name]) continue;
    const [before, after] = [first.collections[name]?.count ?? 0, last.collections[name].count];
    // attention_checks: the gauge's `latest` row and a day's claim, whatever the traffic.
    if (before < TRANSIENT_KEYS && after < TRANSIENT_KEYS)
      out.push({
        family: name,
        kind: 'collection',
        size: after,
        perThousandOrders: round((after - before) / thousands, 1),
        pct: 0,
        pass: true,
        note: `a few rows, under ${TRANSIENT_KEYS}`,
      });
    else judge(name, 'collection', before, after);
  }
  return out;
}

function rssGrowth(samples: SoakReport['rssSamples'], key: 'api' | 'workers' | 'apiHeap' | 'workersHeap') {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : 0);
  const q = (k: number) =>
    samples
      .filter((s) => s.orders > ((k - 1) * ORDERS) / 4 && s.orders <= (k * ORDERS) / 4)
      .map((s) => s[key])
      .filter((v): v is number => v !== undefined);
  const q2Mb = round(mean(q(2)), 1);
  const q4Mb = round(mean(q(4)), 1);
  const growthPct = q2Mb > 0 ? round((100 * (q4Mb - q2Mb)) / q2Mb, 1) : 0;
  return { q2Mb, q4Mb, growthPct, pass: growthPct <= 10 };
}

async function call(
  url: string,
  method: string,
  pathname: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { data?: Record<string, unknown> } }> {
  const res = await fetch(`${url}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> } };
}

/** Walks the feed from `after` to its end; returns the new cursor and how many events it read. */
async function walkFeed(url: string, after: string): Promise<{ after: string; read: number }> {
  let read = 0;
  for (;;) {
    const { status, body } = await call(
      url,
      'GET',
      `/api/orders/events?limit=500${after ? `&after=${after}` : ''}`,
      adminToken(),
    );
    if (status !== 200) throw new Error(`feed answered ${status}: ${JSON.stringify(body)}`);
    const events = (body.data?.events as unknown[]) ?? [];
    read += events.length;
    after = String(body.data?.nextCursor ?? after);
    if (events.length < 500) return { after, read };
  }
}

export async function runSoak(skipBuild: boolean): Promise<SoakReport> {
  const startedAt = new Date();
  // Seconds since the first order was due (the stack's start is not part of the run).
  let t0 = Date.now();
  const atS = () => round((Date.now() - t0) / 1000, 1);
  const closers: Closable[] = [];
  const client = await MongoClient.connect(MONGO_HOST_URI, { retryWrites: false, serverSelectionTimeoutMS: 5000 });
  const db = client.db(BENCH_DB);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queues = WORK_QUEUE_NAMES.map(
    (name) => new Queue(name, { connection: redis, prefix: queuePrefix(QUEUE_PREFIX, name) }),
  );
  const checkpoints: Checkpoint[] = [];
  const rssSamples: SoakReport['rssSamples'] = [];
  const extra = windowedEnv(WINDOW_S);
  const report: SoakReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    settings: { orders: ORDERS, ratePerS: RATE, windowS: WINDOW_S, step: STEP, cancelEvery: CANCEL_EVERY, env: extra },
    environment: { cpus: os.cpus().length, loadAverageAtStart: os.loadavg()[0].toFixed(2) },
    pipeline: {
      ordersPlaced: 0,
      cancelled: 0,
      emailsAccepted: 0,
      statisticsUpdates: 0,
      webhooksReceived: 0,
      feedEventsWalked: 0,
      failedJobs: 0,
      drainedAfterS: null,
    },
    checkpoints,
    rssSamples,
    growth: [],
    rss: {
      api: { q2Mb: 0, q4Mb: 0, growthPct: 0, pass: false },
      workers: { q2Mb: 0, q4Mb: 0, growthPct: 0, pass: false },
    },
  };
  let api: ServiceProcess | null = null;
  let workers: ServiceProcess | null = null;
  let sampler: NodeJS.Timeout | undefined;
  try {
    if (!skipBuild) {
      log('npm run build');
      build();
    }
    await db.dropDatabase();
    await obliterateQueues(redis);
    const auth = await startFakeAuth();
    const smtp = await startSmtpSink();
    const customers = await startFakeCustomerService();
    const receiver = await startReceiver();
    closers.push(auth, smtp, customers, receiver);
    // As shipped but for the windows: every queue in one worker process, the shipped
    // intervals. Development, because production refuses a webhook to a loopback receiver.
    const env: Record<string, string> = {
      ...serviceEnv(auth.url, smtp.port, await freePort()),
      ENVIRONMENT: 'development',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WORKERS: '',
      CUSTOMER_SERVICE_URL: customers.url,
      WORKER_METRICS_PORT: String(await freePort()),
      ...extra,
    };
    delete env.OUTBOX_SWEEP_INTERVAL_MS;
    api = await startApi(env, false, false);
    workers = await startWorkers(env, []);
    log(
      `soak: API pid ${api.pid}, workers pid ${workers.pid}; ${ORDERS} orders at ${RATE}/s, windows of ${WINDOW_S} s`,
    );
    const hook = await call(api.url, 'POST', '/api/orders/webhooks', adminToken(), {
      url: `${receiver.url}/hook`,
      events: ['*'],
    });
    if (hook.status !== 201) throw new Error(`subscribing answered ${hook.status}: ${JSON.stringify(hook.body)}`);

    const a = api;
    const w = workers;
    let placed = 0;
    const heapOf = async (url: string): Promise<number | undefined> => {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        signal: AbortSignal.timeout(4000),
      }).catch(() => null);
      const used = res?.ok ? /^nodejs_heap_size_used_bytes (\S+)$/m.exec(await res.text())?.[1] : undefined;
      return used === undefined ? undefined : round(Number(used) / 2 ** 20, 1);
    };
    sampler = setInterval(() => {
      const [ra, rw] = [memoryOf(a.pid), memoryOf(w.pid)];
      const [at, orders] = [atS(), placed];
      if (ra && rw)
        void Promise.all([
          heapOf(`${a.url}/metrics`),
          heapOf(`http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics`),
        ]).then(([apiHeap, workersHeap]) =>
          rssSamples.push({ atS: at, orders, api: ra.rssMb, workers: rw.rssMb, apiHeap, workersHeap }),
        );
    }, 5000);
    let createTimes: number[] = [];
    const checkpoint = async () => {
      const [orders, at, times] = [placed, atS(), createTimes];
      createTimes = [];
      const c: Checkpoint = {
        orders,
        atS: at,
        redis: await redisFigures(redis),
        collections: await collectionFigures(db),
        rssMb: { api: memoryOf(a.pid)?.rssMb ?? 0, workers: memoryOf(w.pid)?.rssMb ?? 0 },
        backlog: Object.fromEntries(
          await Promise.all(
            queues.map(
              async (q) =>
                [
                  q.name,
                  Object.values(await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).reduce(
                    (x, n) => x + n,
                    0,
                  ),
                ] as const,
            ),
          ),
        ),
        createMs: createLatency(times),
      };
      checkpoints.push(c);
      log(
        `soak: ${c.orders} orders at ${c.atS} s: Redis ${c.redis.usedMemoryMb} MB in ${c.redis.keys} keys; RSS API ${c.rssMb.api} MB, workers ${c.rssMb.workers} MB; create p95 ${c.createMs.p95} ms, max ${c.createMs.max} ms`,
      );
    };
    await checkpoint();

    // A consumer that keeps up: it reads the feed every 15 s, well within the window, as a
    // reader must (an older cursor is refused with 410 once retention passed it).
    let cursor = '';
    let reading = true;
    const readFeed = async () => {
      const walked = await walkFeed(a.url, cursor);
      cursor = walked.after;
      report.pipeline.feedEventsWalked += walked.read;
    };
    const feedReader = (async () => {
      while (reading) {
        await readFeed();
        await sleep(15_000);
      }
    })();
    feedReader.catch(() => undefined);
    let inFlight: Promise<void>[] = [];
    const failures: string[] = [];
    const place = (i: number) => placeOne(i).catch((err: unknown) => void failures.push(`order ${i}: ${String(err)}`));
    const placeOne = async (i: number) => {
      const creator = creatorOf(2000 + (i % 500));
      const token = customerToken(creator);
      const sent = performance.now();
      const res = await call(a.url, 'POST', '/api/orders', token, CREATE_BODY, {
        'idempotency-key': `soak-${startedAt.getTime()}-${i}`,
      });
      createTimes.push(performance.now() - sent);
      if (res.status !== 201)
        return void failures.push(`create ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      report.pipeline.ordersPlaced++;
      if (i % CANCEL_EVERY === 0) {
        const cancel = await call(a.url, 'POST', `/api/orders/${String(res.body.data?.orderId)}/cancel`, token, {
          reason: 'Ordered by mistake in the soak',
        });
        if (cancel.status !== 200)
          return void failures.push(`cancel ${cancel.status} ${JSON.stringify(cancel.body).slice(0, 200)}`);
        report.pipeline.cancelled++;
      }
    };
    // A steady rate: order i starts at i / RATE seconds, whatever the answers' latency.
    const pendingCheckpoints: Promise<void>[] = [];
    const loadStart = Date.now();
    t0 = loadStart;
    for (let i = 1; i <= ORDERS; i++) {
      const due = loadStart + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      inFlight.push(place(i));
      placed = i;
      if (failures.length > 20) throw new Error(`too many failed requests: ${failures.slice(0, 5).join(' | ')}`);
      // The figures are taken alongside the load: waiting for them would stop the orders
      // and then send the ones that fell due meanwhile all at once.
      if (i % STEP === 0) pendingCheckpoints.push(checkpoint());
      if (inFlight.length > 200) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    await Promise.all(pendingCheckpoints);
    if (failures.length) log(`soak: ${failures.length} requests failed: ${failures.slice(0, 5).join(' | ')}`);

    // The tail: every effect done, the feed read to its end.
    const drainStart = Date.now();
    const effectQueues = queues.filter((q) => q.name !== 'upkeep');
    for (;;) {
      const counts = await Promise.all(
        effectQueues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
      );
      const pending = counts.reduce((s, c) => s + Object.values(c).reduce((x, n) => x + n, 0), 0);
      if (pending === 0) {
        report.pipeline.drainedAfterS = round((Date.now() - drainStart) / 1000, 1);
        break;
      }
      if (Date.now() - drainStart > DRAIN_CAP_MS) break;
      await sleep(1000);
    }
    reading = false;
    await feedReader;
    await readFeed();
    report.pipeline.failedJobs = (await Promise.all(queues.map((q) => q.getFailedCount()))).reduce((s, n) => s + n, 0);
    report.pipeline.emailsAccepted = smtp.accepted();
    report.pipeline.statisticsUpdates = customers.calls();
    report.pipeline.webhooksReceived = receiver.calls();
    if (placed % STEP !== 0) await checkpoint();
  } catch (err) {
    report.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`soak failed: ${report.error}`);
    if (workers) log(`workers output (tail):\n${workers.output().slice(-3000)}`);
  } finally {
    clearInterval(sampler);
    await workers?.close();
    await api?.close();
    for (const c of closers.reverse()) await c.close().catch(() => undefined);
    await Promise.all(queues.map((q) => q.close()));
    await obliterateQueues(redis).catch(() => undefined);
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    redis.disconnect();
  }
  report.growth = growthOf(checkpoints, WINDOW_S);
  report.rss = { api: rssGrowth(rssSamples, 'api'), workers: rssGrowth(rssSamples, 'workers') };
  const heap = (key: 'apiHeap' | 'workersHeap') => {
    const { q2Mb, q4Mb, growthPct } = rssGrowth(rssSamples, key);
    return { q2Mb, q4Mb, growthPct };
  };
  report.heap = { api: heap('apiHeap'), workers: heap('workersHeap') };
  report.finishedAt = new Date().toISOString();
  report.environment.loadAverageAtEnd = os.loadavg()[0].toFixed(2);
  return report;
}

/** The soak's table for bench/README.md. */
export function soakMarkdown(r: SoakReport): string {
  const lines: string[] = [];
  const p = r.pipeline;
  lines.push(
    `Run ${r.startedAt} (${r.settings.orders} orders at ${r.settings.ratePerS}/s, every ${r.settings.cancelEvery}th cancelled; retention windows cut to ${r.settings.windowS} s; ${r.environment.cpus} CPUs shared, load average ${r.environment.loadAverageAtStart} at the start, ${r.environment.loadAverageAtEnd ?? '?'} at the end).`,
  );
  lines.push('');
  lines.push(
    `Pipeline: ${p.ordersPlaced} orders placed, ${p.cancelled} cancelled (${p.ordersPlaced + p.cancelled} events, one email and one webhook each); ${p.emailsAccepted} emails accepted, ${p.statisticsUpdates} statistics updates, ${p.webhooksReceived} webhooks received, ${p.feedEventsWalked} feed events walked; ${p.failedJobs} failed jobs; drained ${p.drainedAfterS ?? 'not within the cap'} s after the last order.${r.error ? ` The run broke: ${r.error.split('\n')[0]}` : ''}`,
  );
  lines.push('');
  const cps = r.checkpoints;
  lines.push(
    `| orders | s | Redis used_memory MB | Redis keys | ${WINDOWED_COLLECTIONS.join(' | ')} | orders (kept) | order_events (kept) | API RSS MB | workers RSS MB | create p95 / max ms | backlog (jobs to run) |`,
  );
  lines.push(
    `| ---: | ---: | ---: | ---: | ${WINDOWED_COLLECTIONS.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: | ---: | ---: |`,
  );
  for (const c of cps) {
    lines.push(
      `| ${c.orders} | ${c.atS} | ${c.redis.usedMemoryMb} | ${c.redis.keys} | ${WINDOWED_COLLECTIONS.map((n) => c.collections[n]?.count ?? '–').join(' | ')} | ${c.collections.orders?.count ?? '–'} | ${c.collections.order_events?.count ?? '–'} | ${c.rssMb.api} | ${c.rssMb.workers} | ${c.createMs ? `${c.createMs.p95} / ${c.createMs.max}` : '–'} | ${c.backlog ? backlogText(c.backlog) : '–'} |`,
    );
  }
  lines.push('');
  const missed = r.growth.filter((g) => !g.pass);
  const shownOnly = (g: Growth) => g.note?.startsWith('jobs in hand') || g.note?.startsWith('a few rows');
  const judged = r.growth.filter((g) => !shownOnly(g) && !g.note?.startsWith('kept by count'));
  lines.push(
    `Windowed families after the first window (growth per 1,000 orders ÷ size, target ≤ 2%): ${judged.filter((g) => g.pass).length} of ${judged.length} flat` +
      `${missed.length ? `; growing: ${missed.map((g) => `${g.family} ${g.pct}% (${g.perThousandOrders}/1k orders of ${g.size}${g.note ? `, ${g.note}` : ''})`).join(', ')}` : ''}. ` +
      `Kept by count, within it: ${
        r.growth
          .filter((g) => g.note?.startsWith('kept by count'))
          .map((g) => `${g.family} ${g.size}`)
          .join(', ') || 'none'
      }; ` +
      `${r.growth.filter(shownOnly).length} families of a few keys or rows (jobs in hand, the digest's claims; under ${TRANSIENT_KEYS}) shown, not judged.`,
  );
  lines.push(
    `RSS from the second quarter to the last (target ≤ 10%): API ${r.rss.api.q2Mb} → ${r.rss.api.q4Mb} MB (${r.rss.api.growthPct}%), workers ${r.rss.workers.q2Mb} → ${r.rss.workers.q4Mb} MB (${r.rss.workers.growthPct}%).`,
  );
  if (r.heap)
    lines.push(
      `V8 heap in use, the same quarters: API ${r.heap.api.q2Mb} → ${r.heap.api.q4Mb} MB (${r.heap.api.growthPct}%), workers ${r.heap.workers.q2Mb} → ${r.heap.workers.q4Mb} MB (${r.heap.workers.growthPct}%).`,
    );
  const last = cps.at(-1);
  if (last) {
    const fams = Object.entries(last.redis.families)
      .sort((x, y) => y[1].kb - x[1].kb)
      .slice(0, 12);
    lines.push('');
    lines.push(
      `Redis key families at the end (largest first): ${fams.map(([f, v]) => `${f} ${v.keys} keys / ${v.kb} KB`).join('; ')}.`,
    );
  }
  return lines.join('\n');
}

const SOAK_START = '<!-- bench:soak:start (generated by bench/soak.ts from results/soak-latest.json; do not edit) -->';
const SOAK_END = '<!-- bench:soak:end -->';

export function writeSoak(r: SoakReport): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${r.startedAt.replace(/[:.]/g, '-')}-soak.json`);
  const body = `${JSON.stringify(r, null, 2)}\n`;
  writeFileSync(file, body);
  writeFileSync(path.join(RESULTS_DIR, 'soak-latest.json'), body);
  replaceBlock(SOAK_START, SOAK_END, soakMarkdown(r), 'Soak');
  return file;
}
