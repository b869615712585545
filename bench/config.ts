import path from 'node:path';

/** Settings of one benchmark run; BENCH_QUICK=1 shrinks everything for a CI smoke run. */
export interface BenchSettings {
  quick: boolean;
  /** autocannon connections, and the concurrency of every floor loop. */
  connections: number;
  /** Seconds each side (API and floor) is measured per scenario, split over `rounds`. */
  seconds: number;
  /** Interleaved rounds: floor, API, API, floor, … so drift hits both sides alike. */
  rounds: number;
  /** Seconds of warm-up per side before measuring. */
  warmupSeconds: number;
  /** A request (or query) taking longer than this alone is not load-tested. */
  requestCapMs: number;
  /** Time limit of one emails measurement (worker or floor). */
  emailCapMs: number;
  /** Orders of the small and the large read stage. */
  smallOrders: number;
  largeOrders: number;
  /** Orders per customer (the "my orders" page sees about this many). */
  ordersPerCustomer: number;
  /** Email jobs per emails round, and rounds. */
  emailJobs: number;
  emailRounds: number;
  /** Write CPU profiles of the API and the emails worker (node --cpu-prof) into bench/results/prof. */
  profile: boolean;
  /** Count the API's database commands per scenario (preloads bench/trace-mongo.ts). */
  trace: boolean;
  /** Skip `npm run build` (dist is already fresh). */
  skipBuild: boolean;
  /** Capacity case: seconds of create-order load per side (split over `rounds`), orders placed
   * per pipeline run, rounds of (1, 2 | 2, 1) pipeline runs, and a run's time cap. */
  capacitySeconds: number;
  capacityOrders: number;
  capacityRounds: number;
  capacityCapMs: number;
  /** BENCH_ONLY=<case>: only that case, against the API on the small dataset (exports: at both sizes). */
  only: BenchOnly | null;
  /** BENCH_COST=get-order,emails,…: with BENCH_ONLY=cost, only those (a profile of one endpoint). */
  costOf: string[] | null;
}

/**
 * The cases BENCH_ONLY can pick: the deep-nesting case (issue 10), the capacity case (issue 13),
 * the export at both sizes (issue 15), and the service's own cost per request and per job
 * (issue 16: get-order, my-orders, create-order and the emails worker at the small size, a
 * loop of minutes for measuring one change before and after), and the soak (issue 24: does
 * anything grow without limit through the whole pipeline; bench/soak.ts).
 */
export const BENCH_ONLY_CASES = ['body-depth', 'capacity', 'exports', 'cost', 'soak'] as const;
export type BenchOnly = (typeof BENCH_ONLY_CASES)[number];
const isBenchOnly = (v: string | undefined): v is BenchOnly =>
  (BENCH_ONLY_CASES as readonly string[]).includes(v ?? '');

const flag = (name: string): boolean => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());
const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw ? Number(raw) : NaN;
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function benchSettings(): BenchSettings {
  const quick = flag('BENCH_QUICK');
  return {
    quick,
    connections: int('BENCH_CONNECTIONS', 10),
    seconds: int('BENCH_SECONDS', quick ? 2 : 10),
    rounds: quick ? 2 : 4,
    warmupSeconds: quick ? 0.5 : 2,
    requestCapMs: int('BENCH_REQUEST_CAP_MS', quick ? 3_000 : 10_000),
    emailCapMs: quick ? 6_000 : 20_000,
    smallOrders: 1_000,
    largeOrders: int('BENCH_LARGE_ORDERS', quick ? 3_000 : 100_000),
    ordersPerCustomer: 10,
    emailJobs: int('BENCH_EMAIL_JOBS', quick ? 60 : 500),
    emailRounds: 1,
    profile: flag('BENCH_PROFILE'),
    trace: flag('BENCH_TRACE'),
    skipBuild: flag('BENCH_SKIP_BUILD'),
    capacitySeconds: int('BENCH_CAPACITY_SECONDS', quick ? 6 : 20),
    capacityOrders: int('BENCH_CAPACITY_ORDERS', quick ? 100 : 300),
    capacityRounds: quick ? 1 : 2,
    capacityCapMs: quick ? 90_000 : 240_000,
    only: isBenchOnly(process.env.BENCH_ONLY) ? process.env.BENCH_ONLY : null,
    costOf: process.env.BENCH_COST ? process.env.BENCH_COST.split(',').map((s) => s.trim()) : null,
  };
}

export const ROOT = path.resolve(__dirname, '..');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/** The bench's own database and queue prefix: nothing it does touches anyone else's. */
export const BENCH_DB = process.env.BENCH_DB ?? 'orms_bench';
export const MONGO_HOST_URI = process.env.BENCH_MONGO ?? 'mongodb://127.0.0.1:27017';
export const MONGODB_URI = `${MONGO_HOST_URI}/${BENCH_DB}`;
export const REDIS_URL = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
// Derived from the database, so two bench programs on different databases never share queues.
// The service's key stem: each queue is `{<stem>:<queue>}` (src/queues/names.ts).
export const QUEUE_PREFIX = BENCH_DB.replace(/_/g, '-');
export const JWT_SECRET = 'bench-jwt-secret-0123456789-abcdefghijklmnop';
export const SERVICE_API_KEY = 'bench-service-api-key-0123456789';
/** Production wants webhook secrets sealed at rest: 32 bytes, base64. */
export const WEBHOOK_SECRET_KEY = 'b3Jtcy1iZW5jaC13ZWJob29rLXNlY3JldC1rZXktMzI=';
/** The API runs as in production, where /metrics wants its bearer token. */
export const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';
export const metricsAuth = { authorization: `Bearer ${METRICS_TOKEN}` };
/** Same as the API's default WORKER_CONCURRENCY; set explicitly on the workers process. */
export const WORKER_CONCURRENCY = 5;

/** The targets of issue "Proof" (part 2). */
export const TARGETS = {
  createVsFloor: 0.6,
  readVsFloor: 0.7,
  myOrdersP99Growth: 1.5,
  analyticsGrowth: 1.2,
  emailsVsSlowerFloor: 0.5,
  apiRssMb: 200,
  /** Issue 16, with the GIN indexes standing in for MongoDB's: the service's own cost. */
  myOrdersVsFloorIndexed: 0.8,
  emailsVsSlowerFloorIndexed: 0.6,
  /** Issue 15: an export streams, so 100 times the rows may not cost the worker more than this much more memory. */
  exportRssGrowth: 1.2,
} as const;
