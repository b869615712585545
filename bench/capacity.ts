import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX, REDIS_URL, SERVICE_API_KEY, type BenchSettings } from './config';
import { JOB_OPTIONS } from './floors';
import { runHttp, Tally, type HttpRequestSpec } from './load';
import type { ApiHandle } from './scenarios';
import { CREATE_BODY } from './scenarios';
import {
  creatorOf,
  customerToken,
  listenFake,
  startApi,
  startWorkers,
  type Closable,
  type ServiceProcess,
} from './stack';
import { cpuMsOf, freePort, log, percentiles, rng, round, sleep } from './util';
import { EFFECTS, type Effect } from '../src/shared/names';
import { queuePrefix } from '../src/queues/prefix';

/**
 * The capacity case (issue 13): what a second process buys on this machine.
 * - create-order req/s with one API process against two (`dist/api/server.js` on two
 *   ports), the same total connections spread evenly (one API: both halves on it);
 * - pipeline jobs/s: the jobs of N orders placed through the API while the effect queues
 *   are paused, then drained by one `dist/workers/main.js` process against two (each
 *   running every effect queue), timed from resuming the queues until all four are empty.
 * Sides interleave (1, 2, 2, 1, …) so drift from the rest of the machine hits both alike.
 */

/** One side of the create-order comparison. */
export interface CreateCapacity {
  processes: 1 | 2;
  requestsPerSec: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) of every API process over the side's segments ÷ 2xx answers. */
  apiCpuMsPerRequest: number;
  /** Share of the whole machine's CPU time (all cores) that was busy during the side's segments. */
  machineBusyPct: number;
}

/** One effect queue within a pipeline drain. */
export interface QueueDrain {
  /** Jobs completed (order events and, for customer-stats, the syncs they asked for). */
  completed: number;
  failed: number;
  /** Seconds from resuming the queues until this one had nothing waiting, delayed or running. */
  drainedAfterS: number | null;
  /** Median time one job ran (processedOn → finishedOn), ms. */
  jobP50Ms: number;
}

/** One side of the pipeline comparison, over all its runs. */
export interface PipelineCapacity {
  processes: 1 | 2;
  runs: number;
  /** Orders placed per run, and over all runs. */
  ordersPerRun: number;
  orders: number;
  jobs: number;
  failed: number;
  seconds: number;
  jobsPerSec: number;
  /** Orders whose every effect was done, per second. */
  ordersPerSec: number;
  /** CPU time of the worker processes over the drains ÷ jobs completed. */
  workerCpuMsPerJob: number;
  machineBusyPct: number;
  /** Per queue, summed over the runs (drainedAfterS: the mean). */
  queues: Record<Effect, QueueDrain>;
  /** Each run's drain time, s. */
  runSeconds: number[];
  capped: boolean;
}

export interface CapacityResult {
  status: 'ok' | 'failed';
  note?: string;
  /** Orders in the database when the case started. */
  orders: number;
  cpus: number;
  connections: number;
  create?: { segmentSeconds: number; rounds: number; one: CreateCapacity; two: CreateCapacity; ratio: number };
  pipeline?: {
    workerConcurrency: number;
    analyticsConcurrency: number;
    customerStatsDebounceMs: number;
    one: PipelineCapacity;
    two: PipelineCapacity;
    ratio: number;
  };
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = v.map(Number);
  const total = n.slice(0, 8).reduce((a, x) => a + x, 0);
  const idle = n[3] + n[4]; // idle + iowait
  return { busy: total - idle, total };
}

/** Measures CPU over spans: the given processes' own time and the machine's busy share. */
class CpuMeter {
  private processMs = 0;
  private busy = 0;
  private total = 0;

  async span<T>(pids: () => number[], fn: () => Promise<T>): Promise<T> {
    const ids = pids();
    const before = ids.map(cpuMsOf);
    const m0 = machineTicks();
    try {
      return await fn();
    } finally {
      const m1 = machineTicks();
      this.processMs += ids.reduce((a, pid, i) => a + Math.max(0, cpuMsOf(pid) - before[i]), 0);
      this.busy += m1.busy - m0.busy;
      this.total += m1.total - m0.total;
    }
  }

  /** CPU of the measured processes, ms. */
  get ms(): number {
    return this.processMs;
  }

  get busyPct(): number {
    return this.total > 0 ? round((100 * this.busy) / this.total, 1) : 0;
  }
}

/** The Customer Service's statistics endpoint, answering 200 to every PATCH with our key. */
export async function startFakeCustomerService(): Promise<Closable & { url: string; calls(): number }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.headers['x-service-api-key'] !== SERVICE_API_KEY)
        res.writeHead(401).end('{"success":false,"message":"bad service key"}');
      else if (req.method === 'PATCH' && /^\/api\/customers\/internal\/[^/]+\/statistics$/.test(req.url ?? '')) {
        calls++;
        res.writeHead(200).end('{"success":true,"message":"Statistics updated"}');
      } else res.writeHead(404).end('{"success":false,"message":"Not found"}');
    });
  });
  return listenFake(server, () => calls);
}

/** Creators 1000+ (not the create scenario's 0-99), so the two cases do not share customers. */
const CREATORS = 100;
const createSpec = (r: () => number): HttpRequestSpec => ({
  method: 'POST',
  next: () => ({
    path: '/api/orders',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${customerToken(creatorOf(1000 + Math.floor(r() * CREATORS)))}`,
    },
    body: CREATE_BODY,
  }),
});

/** `connections` split over `urls` (as evenly as they go), one autocannon each, at once; adds to `into`. */
async function spread(
  urls: string[],
  spec: HttpRequestSpec,
  connections: number,
  span: { seconds: number } | { amount: number },
  into: Tally,
): Promise<void> {
  const parts = urls.map(() => new Tally());
  await Promise.all(
    urls.map((url, i) => {
      const c = Math.floor(connections / urls.length) + (i < connections % urls.length ? 1 : 0);
      const s =
        'amount' in span
          ? { amount: Math.floor(span.amount / urls.length) + (i < span.amount % urls.length ? 1 : 0) }
          : span;
      return c > 0 && (!('amount' in s) || s.amount > 0) ? runHttp(url, spec, c, s, parts[i]) : Promise.resolve();
    }),
  );
  for (const p of parts) {
    into.ok += p.ok;
    into.non2xx += p.non2xx;
    into.errors += p.errors;
    for (const l of p.latencies) into.latencies.push(l);
    for (const e of p.errorSamples) into.sample(e);
  }
  // They ran side by side: the span is the longest of them.
  into.seconds += Math.max(0, ...parts.map((p) => p.seconds));
}

/** Interleaved order of the sides: 1, 2 | 2, 1 | 1, 2 … */
const sideOrder = (round: number): (1 | 2)[] => (round % 2 === 0 ? [1, 2] : [2, 1]);

async function measureCreate(
  apis: [ApiHandle, ServiceProcess],
  cfg: BenchSettings,
): Promise<NonNullable<CapacityResult['create']>> {
  const [a, b] = apis;
  const urls = { 1: [a.url, a.url], 2: [a.url, b.url] } as const;
  const spec = createSpec(rng(13));
  const tallies = { 1: new Tally(), 2: new Tally() };
  const meters = { 1: new CpuMeter(), 2: new CpuMeter() };
  const pids = () => [a.pid, b.pid];
  const segment = { seconds: cfg.capacitySeconds / cfg.rounds };
  // Warm-up: both processes get their JIT and connection pools going.
  await spread([a.url, b.url], spec, cfg.connections, { seconds: Math.max(1, cfg.warmupSeconds) }, new Tally());
  for (let r = 0; r < cfg.rounds; r++) {
    for (const p of sideOrder(r)) {
      await meters[p].span(pids, () => spread([...urls[p]], spec, cfg.connections, segment, tallies[p]));
      await sleep(300); // requests cut off at the end of the segment finish first
    }
  }
  const side = (p: 1 | 2): CreateCapacity => {
    const m = tallies[p].result();
    return {
      processes: p,
      requestsPerSec: m.opsPerSec,
      ok: m.ok,
      non2xx: m.non2xx,
      errors: m.errors,
      seconds: m.seconds,
      p50Ms: m.p50Ms,
      p99Ms: m.p99Ms,
      apiCpuMsPerRequest: round(meters[p].ms / Math.max(1, m.ok), 2),
      machineBusyPct: meters[p].busyPct,
    };
  };
  const one = side(1);
  const two = side(2);
  for (const s of [one, two])
    if (s.non2xx + s.errors > 0)
      log(
        `capacity create ×${s.processes}: ${s.non2xx} non-2xx, ${s.errors} errors: ${tallies[s.processes].errorSamples.join(' | ')}`,
      );
  const ratio = one.requestsPerSec > 0 ? round(two.requestsPerSec / one.requestsPerSec, 3) : 0;
  log(
    `capacity create: 1 API ${one.requestsPerSec}/s (p99 ${one.p99Ms} ms, ${one.apiCpuMsPerRequest} ms CPU/req, machine ${one.machineBusyPct}% busy) | 2 APIs ${two.requestsPerSec}/s (p99 ${two.p99Ms} ms, ${two.apiCpuMsPerRequest} ms CPU/req, machine ${two.machineBusyPct}% busy) | ratio ${ratio}`,
  );
  return { segmentSeconds: segment.seconds, rounds: cfg.rounds, one, two, ratio };
}

/** Effects of the `order.created` event (services/order-events.ts): the jobs each placed order queues at least. */
const CREATED_EFFECTS: readonly Effect[] = ['emails', 'customer-stats', 'analytics'];

interface DrainRun {
  processes: 1 | 2;
  orders: number;
  seconds: number;
  capped: boolean;
  queues: Record<Effect, QueueDrain>;
}

const pendingStates = ['waiting', 'paused', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** One run: N orders' jobs queued while paused, then `processes` worker processes drain them. */
async function drainRun(
  api: ApiHandle,
  queues: Record<Effect, Queue>,
  workerEnv: Record<string, string>,
  processes: 1 | 2,
  cfg: BenchSettings,
  r: () => number,
  meter: CpuMeter,
): Promise<DrainRun> {
  const all = Object.values(queues);
  for (const q of all) await q.obliterate({ force: true });
  for (const q of all) await q.pause();
  // The orders, through the API with no worker running: their jobs wait in the paused queues.
  const placed = new Tally();
  await spread([api.url], createSpec(r), cfg.connections, { amount: cfg.capacityOrders }, placed);
  if (placed.non2xx + placed.errors > 0)
    throw new Error(
      `placing the pipeline's orders: ${placed.non2xx} non-2xx, ${placed.errors} errors: ${placed.errorSamples.join(' | ')}`,
    );
  const orders = placed.ok;
  const workers: ServiceProcess[] = [];
  try {
    workers.push(...(await Promise.all(Array.from({ length: processes }, () => startWorkers(workerEnv, EFFECTS)))));
    const drained: Partial<Record<Effect, number>> = {};
    let capped = false;
    const t0 = performance.now();
    await meter.span(
      () => workers.map((w) => w.pid),
      async () => {
        for (const q of all) await q.resume();
        for (;;) {
          const now = (performance.now() - t0) / 1000;
          await Promise.all(
            EFFECTS.map(async (name) => {
              if (drained[name] !== undefined) return;
              const c = await queues[name].getJobCounts(...pendingStates, 'completed', 'failed');
              const pending = pendingStates.reduce((a, s) => a + (c[s] ?? 0), 0);
              const finished = (c.completed ?? 0) + (c.failed ?? 0);
              if (pending === 0 && finished >= (CREATED_EFFECTS.includes(name) ? orders : 0)) drained[name] = now;
            }),
          );
          if (EFFECTS.every((n) => drained[n] !== undefined)) break;
          if (now * 1000 > cfg.capacityCapMs) {
            capped = true;
            break;
          }
          await sleep(50);
        }
      },
    );
    const seconds = Math.max(0, ...Object.values(drained).map((s) => s ?? 0), capped ? cfg.capacityCapMs / 1000 : 0);
    const out = {} as Record<Effect, QueueDrain>;
    for (const name of EFFECTS) {
      const c = await queues[name].getJobCounts('completed', 'failed');
      const ran = (await queues[name].getJobs(['completed'], 0, -1))
        .filter((j) => j.processedOn && j.finishedOn)
        .map((j) => (j.finishedOn as number) - (j.processedOn as number));
      out[name] = {
        completed: c.completed ?? 0,
        failed: c.failed ?? 0,
        drainedAfterS: drained[name] === undefined ? null : round(drained[name], 2),
        jobP50Ms: round(percentiles(ran, [50])[0], 1),
      };
    }
    return { processes, orders, seconds, capped, queues: out };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

async function measurePipeline(
  api: ApiHandle,
  workerEnv: Record<string, string>,
  cfg: BenchSettings,
): Promise<NonNullable<CapacityResult['pipeline']>> {
  const producer = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queues = Object.fromEntries(
    EFFECTS.map((name) => [
      name,
      new Queue(name, {
        connection: producer,
        prefix: queuePrefix(QUEUE_PREFIX, name),
        defaultJobOptions: JOB_OPTIONS,
      }),
    ]),
  ) as Record<Effect, Queue>;
  const r = rng(17);
  const runs: DrainRun[] = [];
  const meters = { 1: new CpuMeter(), 2: new CpuMeter() };
  try {
    for (let round_ = 0; round_ < cfg.capacityRounds; round_++) {
      for (const p of sideOrder(round_)) {
        const run = await drainRun(api, queues, workerEnv, p, cfg, r, meters[p]);
        runs.push(run);
        const jobs = EFFECTS.reduce((a, n) => a + run.queues[n].completed, 0);
        log(
          `capacity pipeline ×${p}: ${run.orders} orders, ${jobs} jobs in ${round(run.seconds, 2)} s (${round(jobs / Math.max(0.001, run.seconds), 1)} jobs/s${run.capped ? ', capped' : ''}); drained after (job p50) ${EFFECTS.map((n) => `${n} ${run.queues[n].drainedAfterS ?? '–'} s (${run.queues[n].jobP50Ms} ms)`).join(', ')}`,
        );
      }
    }
  } finally {
    for (const q of Object.values(queues)) await q.obliterate({ force: true }).catch(() => undefined);
    await Promise.all(Object.values(queues).map((q) => q.close()));
    producer.disconnect();
  }
  const side = (p: 1 | 2): PipelineCapacity => {
    const mine = runs.filter((x) => x.processes === p);
    const seconds = mine.reduce((a, x) => a + x.seconds, 0);
    const orders = mine.reduce((a, x) => a + x.orders, 0);
    const queuesOut = {} as Record<Effect, QueueDrain>;
    for (const name of EFFECTS) {
      const times = mine.map((x) => x.queues[name].drainedAfterS);
      const mean = (xs: number[]) => xs.reduce((a, t) => a + t, 0) / Math.max(1, xs.length);
      queuesOut[name] = {
        completed: mine.reduce((a, x) => a + x.queues[name].completed, 0),
        failed: mine.reduce((a, x) => a + x.queues[name].failed, 0),
        drainedAfterS: times.every((t) => t !== null) ? round(mean(times as number[]), 2) : null,
        jobP50Ms: round(mean(mine.map((x) => x.queues[name].jobP50Ms)), 1),
      };
    }
    const jobs = EFFECTS.reduce((a, n) => a + queuesOut[n].completed, 0);
    return {
      processes: p,
      runs: mine.length,
      ordersPerRun: cfg.capacityOrders,
      orders,
      jobs,
      failed: EFFECTS.reduce((a, n) => a + queuesOut[n].failed, 0),
      seconds: round(seconds, 2),
      jobsPerSec: round(seconds > 0 ? jobs / seconds : 0, 1),
      ordersPerSec: round(seconds > 0 ? orders / seconds : 0, 1),
      workerCpuMsPerJob: round(meters[p].ms / Math.max(1, jobs), 2),
      machineBusyPct: meters[p].busyPct,
      queues: queuesOut,
      runSeconds: mine.map((x) => round(x.seconds, 2)),
      capped: mine.some((x) => x.capped),
    };
  };
  const one = side(1);
  const two = side(2);
  const ratio = one.jobsPerSec > 0 ? round(two.jobsPerSec / one.jobsPerSec, 3) : 0;
  log(
    `capacity pipeline: 1 worker process ${one.jobsPerSec} jobs/s (${one.workerCpuMsPerJob} ms CPU/job, machine ${one.machineBusyPct}% busy) | 2 ${two.jobsPerSec} jobs/s (${two.workerCpuMsPerJob} ms CPU/job, machine ${two.machineBusyPct}% busy) | ratio ${ratio}`,
  );
  return {
    workerConcurrency: Number(workerEnv.WORKER_CONCURRENCY),
    analyticsConcurrency: Number(workerEnv.ANALYTICS_CONCURRENCY),
    customerStatsDebounceMs: Number(workerEnv.CUSTOMER_STATS_DEBOUNCE_MS),
    one,
    two,
    ratio,
  };
}

/**
 * Both halves of the case. `api` is the bench's running API (the first process); a second
 * one is started on another port with the same environment, and stopped at the end.
 */
export async function measureCapacity(
  api: ApiHandle,
  env: Record<string, string>,
  orders: number,
  cfg: BenchSettings,
): Promise<CapacityResult> {
  const base = { orders, cpus: os.cpus().length, connections: cfg.connections };
  let second: ServiceProcess | null = null;
  const customers = await startFakeCustomerService();
  try {
    second = await startApi({ ...env, PORT: String(await freePort()) }, false, false);
    log(`capacity: second API pid ${second.pid} at ${second.url}`);
    const create = await measureCreate([api, second], cfg);
    await second.close();
    second = null;
    // Every effect queue in each worker process (the upkeep worker's periodic sweeps would
    // land in some runs and not others). Syncs are not debounced, so a drain times work, not
    // waiting; a customer's syncs still coalesce while one is queued (queues/customer-sync.ts).
    // No metrics port: two processes on one host would both want it (a local .env may set one).
    const workerEnv = {
      ...env,
      WORKERS: EFFECTS.join(','),
      CUSTOMER_SERVICE_URL: customers.url,
      CUSTOMER_STATS_DEBOUNCE_MS: '0',
      ANALYTICS_CONCURRENCY: env.ANALYTICS_CONCURRENCY ?? '1',
      WORKER_METRICS_PORT: '0',
    };
    const pipeline = await measurePipeline(api, workerEnv, cfg);
    log(`capacity: the fake Customer Service took ${customers.calls()} statistics updates`);
    return { ...base, status: 'ok', create, pipeline };
  } catch (err) {
    log(`capacity failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { ...base, status: 'failed', note: String(err).slice(0, 500) };
  } finally {
    await second?.close();
    await customers.close();
  }
}

/** The capacity table (markdown) for bench/README.md and docs. */
export function capacityMarkdown(c: CapacityResult, when: string, quick: boolean, load: string): string {
  const lines: string[] = [];
  lines.push(
    `Run ${when} (${quick ? 'BENCH_QUICK' : 'full'}${load ? `; 1-minute load average ${load}` : ''}): ${c.cpus} CPUs shared with other work, FerretDB on PostgreSQL, Redis, the bench's load generator and fakes all on the same machine; ${c.orders} orders in the database at the start; ${c.connections} connections in total.`,
  );
  lines.push('');
  if (c.status !== 'ok') {
    lines.push(`The capacity case failed: ${c.note ?? ''}`);
    return lines.join('\n');
  }
  lines.push('| measure | 1 process | 2 processes | 2 ÷ 1 | CPU per unit, 1 / 2 processes | machine busy, 1 / 2 |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  const cr = c.create;
  if (cr) {
    lines.push(
      `| create-order req/s (API processes) | ${cr.one.requestsPerSec} | ${cr.two.requestsPerSec} | ${cr.ratio} | ${cr.one.apiCpuMsPerRequest} / ${cr.two.apiCpuMsPerRequest} ms per request | ${cr.one.machineBusyPct}% / ${cr.two.machineBusyPct}% |`,
    );
    lines.push(
      `| create-order p50 / p99 ms | ${cr.one.p50Ms} / ${cr.one.p99Ms} | ${cr.two.p50Ms} / ${cr.two.p99Ms} | | | |`,
    );
  }
  const p = c.pipeline;
  if (p) {
    lines.push(
      `| pipeline jobs/s (worker processes) | ${p.one.jobsPerSec} | ${p.two.jobsPerSec} | ${p.ratio} | ${p.one.workerCpuMsPerJob} / ${p.two.workerCpuMsPerJob} ms per job | ${p.one.machineBusyPct}% / ${p.two.machineBusyPct}% |`,
    );
    lines.push(
      `| pipeline orders/s fully processed | ${p.one.ordersPerSec} | ${p.two.ordersPerSec} | ${p.one.ordersPerSec > 0 ? round(p.two.ordersPerSec / p.one.ordersPerSec, 3) : '–'} | | |`,
    );
    for (const name of EFFECTS) {
      const a = p.one.queues[name];
      const b = p.two.queues[name];
      if (!a.completed && !b.completed) continue;
      lines.push(
        `| ${name}: jobs; drained after s; job p50 ms | ${a.completed}; ${a.drainedAfterS ?? '–'}; ${a.jobP50Ms} | ${b.completed}; ${b.drainedAfterS ?? '–'}; ${b.jobP50Ms} | ${a.drainedAfterS && b.drainedAfterS ? round(a.drainedAfterS / b.drainedAfterS, 3) : '–'} (speed-up) | | |`,
      );
    }
  }
  lines.push('');
  if (cr)
    lines.push(
      `Create: ${cr.rounds} interleaved round(s) of ${cr.segmentSeconds} s per side after a warm-up; one API process takes both halves of the connections, two take half each. Errors: ${cr.one.non2xx + cr.one.errors} / ${cr.two.non2xx + cr.two.errors}.`,
    );
  if (p) {
    const [perRun, runs] = [p.one.ordersPerRun, p.one.runs];
    lines.push(
      `Pipeline: ${runs} run(s) per side of ${perRun} orders placed through the API while the effect queues were paused (their order.created jobs: emails, customer-stats, analytics; each customer-stats job asks for a sync, counted too; refunds has none); then 1 or 2 \`dist/workers/main.js\` processes, each running all four effect queues at WORKER_CONCURRENCY=${p.workerConcurrency}, ANALYTICS_CONCURRENCY=${p.analyticsConcurrency} (global, across processes), CUSTOMER_STATS_DEBOUNCE_MS=${p.customerStatsDebounceMs}; timed from resuming the queues until all four were empty (runs: ${p.one.runSeconds.join(', ')} s with one process, ${p.two.runSeconds.join(', ')} s with two). Failed jobs: ${p.one.failed} / ${p.two.failed}${p.one.capped || p.two.capped ? '; a run reached the time cap' : ''}.`,
    );
  }
  return lines.join('\n');
}
