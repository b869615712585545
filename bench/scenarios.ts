import { metricsAuth, type BenchSettings } from './config';
import type { Floors } from './floors';
import { performance } from 'node:perf_hooks';
import { runHttp, runLoop, Tally, type HttpRequestSpec, type Measurement, type Span } from './load';
import type { Seeder } from './seed';
import { adminToken, creatorOf, customerToken } from './stack';
import { cpuMsOf, log, ownCpuMs, rng, round, sampleRss, sleep } from './util';
import { guideOrderBody } from '../test/helpers/fixtures';

export type ScenarioName = 'create-order' | 'my-orders' | 'get-order' | 'admin-list' | 'search' | 'analytics';

export interface Scenario {
  name: ScenarioName;
  kind: 'create' | 'read';
  api: HttpRequestSpec;
  /** The floor; `maxTimeMS` bounds its queries on the server when it may be given up on. */
  floor: (maxTimeMS?: number) => Promise<void>;
  /** A third side for diagnosis: the raw driver making every round trip the service makes. */
  apiShaped?: () => Promise<void>;
}

export interface ScenarioResult {
  name: ScenarioName;
  kind: 'create' | 'read';
  /** Orders in the database when it was measured. */
  orders: number;
  /** 'gin': measured again with GIN indexes in PostgreSQL that FerretDB's lookups can use. */
  indexes?: 'gin';
  status: 'ok' | 'route missing' | 'too slow' | 'failed';
  note?: string;
  /** One request alone (API) and one floor operation alone, before the load, in ms. */
  probeMs?: { api: number | null; floor: number | null };
  /** time: autocannon for a duration; count: a fixed number of requests, all completed (slow scenarios). */
  mode?: 'time' | 'count';
  connections?: number;
  api?: Measurement & { peakRssMb: number };
  floor?: Measurement;
  /** API ops/s ÷ floor ops/s. */
  ratio?: number;
  /** CPU each request cost the API process, and each operation the floor (its loop runs in the bench process), over the measured segments, ms. */
  apiCpuMsPerRequest?: number;
  floorCpuMsPerOp?: number;
  /** The bare API (bench/bare-api.ts: token check, the floor's queries, JSON, nothing else) under the same load, and its CPU per request. */
  bare?: Measurement;
  bareCpuMsPerRequest?: number;
  /** The raw driver making the service's round trips (create only), and API ÷ it. */
  apiShaped?: Measurement;
  ratioToApiShaped?: number;
  /** The API's own memory figures (prom-client, GET /metrics) right after its last segment, MB. */
  apiMemory?: { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number };
  /** BENCH_TRACE: the API's database commands per request while loaded, and their mean time. */
  apiDbCommands?: Record<string, { perRequest: number; meanMs: number }>;
}

/** The running API; `restart` replaces the process (used to drop a request given up on). */
export interface ApiHandle {
  readonly url: string;
  readonly pid: number;
  /** Database commands of the API since the last call (BENCH_TRACE), else {}. */
  trace(): Promise<Record<string, { n: number; ms: number }>>;
  restart(): Promise<void>;
}

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The guide's 4.1 request body. */
export const CREATE_BODY = JSON.stringify(guideOrderBody());

const CREATORS = 100;

/**
 * The scenarios over the data seeded so far. API and floor draw their random users,
 * orders and search terms from twin generators, so both sides see the same mix.
 */
export function scenarios(seeder: Seeder, floors: Floors): Scenario[] {
  const twin = (seed: number) => ({ api: rng(seed), floor: rng(seed) });
  const my = twin(1);
  const one = twin(2);
  const find = twin(3);
  const make = twin(4);
  const admin = adminToken();
  const searchTerm = (r: () => number) => seeder.randomCustomer(r).email.toLowerCase().slice(0, 8);
  const someOrder = (r: () => number) => seeder.orders[Math.floor(r() * seeder.orders.length)];
  const creator = (r: () => number) => creatorOf(Math.floor(r() * CREATORS));

  return [
    {
      name: 'my-orders',
      kind: 'read',
      api: {
        method: 'GET',
        next: () => ({
          path: '/api/orders/me?limit=10',
          headers: bearer(customerToken(seeder.randomCustomer(my.api))),
        }),
      },
      floor: (ms) => floors.myOrders(seeder.randomCustomer(my.floor).userId, ms),
    },
    {
      name: 'get-order',
      kind: 'read',
      api: {
        method: 'GET',
        next: () => {
          const o = someOrder(one.api);
          const owner = seeder.customerOfUser(o.userId);
          return { path: `/api/orders/${o.orderId}`, headers: bearer(customerToken(owner)) };
        },
      },
      floor: (ms) => floors.getOrder(someOrder(one.floor).orderId, ms),
    },
    {
      name: 'admin-list',
      kind: 'read',
      api: {
        method: 'GET',
        next: () => ({ path: '/api/orders?status=Delivered&minAmount=1000&page=2&limit=20', headers: bearer(admin) }),
      },
      floor: (ms) => floors.adminList(ms),
    },
    {
      name: 'search',
      kind: 'read',
      api: {
        method: 'GET',
        next: () => ({
          path: `/api/orders/search?q=${encodeURIComponent(searchTerm(find.api))}`,
          headers: bearer(admin),
        }),
      },
      floor: (ms) => floors.search(searchTerm(find.floor), ms),
    },
    {
      name: 'analytics',
      kind: 'read',
      api: { method: 'GET', next: () => ({ path: '/api/orders/analytics', headers: bearer(admin) }) },
      floor: (ms) => floors.analytics(ms),
    },
    {
      name: 'create-order',
      kind: 'create',
      api: {
        method: 'POST',
        next: () => ({
          path: '/api/orders',
          headers: { ...json, ...bearer(customerToken(creator(make.api))) },
          body: CREATE_BODY,
        }),
      },
      floor: () => {
        const c = creator(make.floor);
        return floors.createOrder({
          userId: c.userId,
          customerId: c.customerId,
          email: c.email,
          name: `${c.firstName} ${c.lastName}`,
        });
      },
      apiShaped: () => {
        const c = creator(make.floor);
        return floors.createOrder(
          { userId: c.userId, customerId: c.customerId, email: c.email, name: `${c.firstName} ${c.lastName}` },
          true,
        );
      },
    },
  ];
}

/** RSS and V8 heap of the API from its Prometheus metrics (METRICS_ENABLED=true); undefined if unavailable. */
async function memoryFromMetrics(baseUrl: string): Promise<ScenarioResult['apiMemory']> {
  try {
    const text = await (
      await fetch(`${baseUrl}/metrics`, { headers: metricsAuth, signal: AbortSignal.timeout(5000) })
    ).text();
    const mb = (name: string) =>
      round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20, 1);
    const m = {
      rssMb: mb('process_resident_memory_bytes'),
      heapUsedMb: mb('nodejs_heap_size_used_bytes'),
      heapTotalMb: mb('nodejs_heap_size_total_bytes'),
      externalMb: mb('nodejs_external_memory_bytes'),
    };
    return Object.values(m).every(Number.isFinite) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** One request through fetch, given up after `capMs`. */
async function probe(
  baseUrl: string,
  spec: HttpRequestSpec,
  capMs: number,
): Promise<{ status: number; body: string; ms: number | null }> {
  const n = spec.next();
  const t0 = performance.now();
  try {
    const res = await fetch(baseUrl + n.path, {
      method: spec.method,
      headers: n.headers,
      body: n.body,
      signal: AbortSignal.timeout(capMs),
    });
    const body = (await res.text()).slice(0, 300);
    return { status: res.status, body, ms: round(performance.now() - t0, 1) };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { status: 0, body: timedOut ? `no answer within ${capMs} ms` : String(err), ms: null };
  }
}

async function timeFloor(s: Scenario, capMs?: number): Promise<number | null> {
  const t0 = performance.now();
  try {
    await s.floor(capMs);
    return round(performance.now() - t0, 1);
  } catch (err) {
    if (!String(err).includes('exceeded time limit')) log(`${s.name}: floor probe failed: ${String(err)}`);
    return null;
  }
}

/**
 * Measures a scenario against its floor. First one request of each alone (the probe).
 * - No answer within the cap: the scenario is "too slow" to load; the API is restarted so
 *   the request it was given up on stops loading the database, and the floor is timed
 *   once under the same cap (maxTimeMS).
 * - Fast (probe ≤ 100 ms): warm-up, then `rounds` interleaved segments of `seconds/rounds`
 *   each (floor, API | API, floor | …) with `connections`.
 * - Slow: a fixed number of operations per side sized to take about `seconds` on this
 *   machine, all completed (no work is left running into the other side's turn).
 * The API's RSS is sampled while it is loaded.
 */
export async function measure(
  s: Scenario,
  orders: number,
  api: ApiHandle,
  cfg: BenchSettings,
  bare?: { url: string; pid: number },
): Promise<ScenarioResult> {
  const base = { name: s.name, kind: s.kind, orders };
  // The best of up to three, so a cold first request (JIT, connections) does not decide the mode.
  let first = await probe(api.url, s.api, cfg.requestCapMs);
  for (let i = 0; i < 2 && first.ms !== null && first.ms < 1000 && first.status >= 200 && first.status < 300; i++) {
    const again = await probe(api.url, s.api, cfg.requestCapMs);
    if (again.ms !== null && again.ms < first.ms) first = again;
  }
  if (first.status === 404 && first.body.includes('Route not found')) {
    log(`${s.name}: route missing (${first.body.slice(0, 120)})`);
    return { ...base, status: 'route missing', note: first.body };
  }
  if (first.ms === null) {
    log(`${s.name} @${orders}: ${first.body}; restarting the API to drop that request`);
    await api.restart();
    const floorMs = await timeFloor(s, cfg.requestCapMs);
    const note = `one API request takes more than ${cfg.requestCapMs} ms; the floor ${floorMs === null ? `also (maxTimeMS ${cfg.requestCapMs} exceeded)` : `took ${floorMs} ms`}`;
    log(`${s.name} @${orders}: too slow: ${note}`);
    return { ...base, status: 'too slow', note, probeMs: { api: null, floor: floorMs } };
  }
  if (first.status < 200 || first.status > 299) log(`${s.name}: probe answered ${first.status}: ${first.body}`);
  let floorMs = await timeFloor(s);
  for (let i = 0; i < 2 && floorMs !== null && floorMs < 1000; i++) {
    const again = await timeFloor(s);
    if (again !== null && again < floorMs) floorMs = again;
  }
  const slowest = Math.max(first.ms, floorMs ?? 0);

  const fast = slowest <= 100;
  // Slow: about `seconds` of work per side, split over the rounds. Loaded, FerretDB
  // answers such queries only about 1.2 × faster than one at a time (measured here).
  const total = Math.max(2 * cfg.rounds, Math.floor((cfg.seconds * 1000 * 1.2) / slowest));
  const c = fast ? cfg.connections : Math.min(cfg.connections, Math.max(2, Math.floor(total / cfg.rounds)));
  const perSegment: Span = fast
    ? { seconds: cfg.seconds / cfg.rounds }
    : { amount: Math.max(c, Math.ceil(total / cfg.rounds)) };
  if (fast) {
    await runHttp(api.url, s.api, c, { seconds: cfg.warmupSeconds });
    await runLoop(s.floor, c, { seconds: cfg.warmupSeconds });
    if (bare) await runHttp(bare.url, s.api, c, { seconds: cfg.warmupSeconds });
  }

  const apiTally = new Tally();
  const commands: Record<string, { n: number; ms: number }> = {};
  const floorTally = new Tally();
  let peakRss = 0;
  const cpu = { api: 0, floor: 0 };
  const apiSegment = async () => {
    const rss = sampleRss(api.pid);
    await api.trace();
    const cpuBefore = cpuMsOf(api.pid);
    try {
      await runHttp(api.url, s.api, c, perSegment, apiTally);
    } finally {
      peakRss = Math.max(peakRss, rss.stop());
    }
    // Requests cut off at the end of a timed segment finish before the floor's turn.
    if (fast) await sleep(300);
    cpu.api += cpuMsOf(api.pid) - cpuBefore;
    for (const [name, t] of Object.entries(await api.trace())) {
      const acc = (commands[name] ??= { n: 0, ms: 0 });
      acc.n += t.n;
      acc.ms += t.ms;
    }
  };
  const shapedTally = new Tally();
  const shaped = s.apiShaped;
  const bareTally = new Tally();
  let bareCpu = 0;
  const floorSegment = async () => {
    const cpuBefore = ownCpuMs();
    await runLoop(() => s.floor(), c, perSegment, floorTally);
    cpu.floor += ownCpuMs() - cpuBefore;
    if (shaped) await runLoop(shaped, c, perSegment, shapedTally);
    if (bare) {
      const bareBefore = cpuMsOf(bare.pid);
      await runHttp(bare.url, s.api, c, perSegment, bareTally);
      if (fast) await sleep(300);
      bareCpu += cpuMsOf(bare.pid) - bareBefore;
    }
  };
  for (let r = 0; r < cfg.rounds; r++) {
    if (r % 2 === 0) {
      await floorSegment();
      await apiSegment();
    } else {
      await apiSegment();
      await floorSegment();
    }
  }
  const apiMemory = await memoryFromMetrics(api.url);
  const a = apiTally.result();
  const f = floorTally.result();
  const ratio = f.opsPerSec > 0 ? round(a.opsPerSec / f.opsPerSec, 3) : 0;
  const apiCpuMsPerRequest = round(cpu.api / Math.max(1, a.ok + a.non2xx), 3);
  const floorCpuMsPerOp = round(cpu.floor / Math.max(1, f.ok + f.errors), 3);
  log(
    `${s.name} @${orders} [${fast ? 'time' : 'count'}, c=${c}]: api ${a.opsPerSec}/s p50 ${a.p50Ms} p99 ${a.p99Ms} err ${a.non2xx + a.errors} ${apiCpuMsPerRequest} ms CPU/req | floor ${f.opsPerSec}/s p50 ${f.p50Ms} p99 ${f.p99Ms} err ${f.errors} ${floorCpuMsPerOp} ms CPU/op | ratio ${ratio} | rss ${peakRss} MB`,
  );
  const sh = shaped ? shapedTally.result() : undefined;
  const b = bare ? bareTally.result() : undefined;
  const bareCpuMsPerRequest = b ? round(bareCpu / Math.max(1, b.ok + b.non2xx), 3) : undefined;
  if (b)
    log(
      `${s.name} @${orders}: bare API ${b.opsPerSec}/s p50 ${b.p50Ms} p99 ${b.p99Ms} err ${b.non2xx + b.errors} ${bareCpuMsPerRequest} ms CPU/req`,
    );
  if (sh)
    log(
      `${s.name} @${orders}: raw driver with the service's round trips ${sh.opsPerSec}/s p50 ${sh.p50Ms} p99 ${sh.p99Ms} err ${sh.errors}`,
    );
  return {
    ...base,
    status: 'ok',
    probeMs: { api: first.ms, floor: floorMs },
    mode: fast ? 'time' : 'count',
    connections: c,
    api: { ...a, peakRssMb: peakRss },
    floor: f,
    ratio,
    apiCpuMsPerRequest,
    floorCpuMsPerOp,
    ...(apiMemory && { apiMemory }),
    ...(b && { bare: b, bareCpuMsPerRequest }),
    ...(sh && { apiShaped: sh, ratioToApiShaped: sh.opsPerSec > 0 ? round(a.opsPerSec / sh.opsPerSec, 3) : 0 }),
    ...(Object.keys(commands).length > 0 && {
      apiDbCommands: Object.fromEntries(
        Object.entries(commands).map(([k, v]) => [
          k,
          { perRequest: round(v.n / Math.max(1, a.ok + a.non2xx), 2), meanMs: round(v.ms / v.n, 1) },
        ]),
      ),
    }),
  };
}
