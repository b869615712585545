import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { BENCH_DB, MONGO_HOST_URI, REDIS_URL, RESULTS_DIR, metricsAuth } from './config';
import { Floors, obliterateQueues } from './floors';
import { runHttp, Tally } from './load';
import { scenarios } from './scenarios';
import { Seeder } from './seed';
import { ensureBuilt, serviceEnv, startApi, startFakeAuth } from './stack';
import { cpuMsOf, freePort, log, memoryOf, round, sampleRss, sleep } from './util';

/**
 * `npm run bench:memory`: which heap setting the API should run with in production, by
 * experiment (issue 16). The same API (dist) under the same load (my-orders, then get-order,
 * 10 connections, 1k orders), started with each V8 heap setting, twice each in turn. Judged
 * by what the process keeps and what the setting costs, not by a peak: per variant the
 * latency (p50, p99), the CPU and the garbage-collection time per request, the RSS and V8
 * heap the process holds 5 s after the load, and (for reference) the peak RSS. JSON in
 * bench/results/memory-<timestamp>.json and memory-latest.json.
 */
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 10);
const IDLE_MS = 5_000;
const VARIANTS: { name: string; nodeArgs: string[] }[] = [
  { name: 'node defaults', nodeArgs: [] },
  { name: '--max-old-space-size=128', nodeArgs: ['--max-old-space-size=128'] },
  { name: '--max-old-space-size=256', nodeArgs: ['--max-old-space-size=256'] },
  { name: '--max-old-space-size=512', nodeArgs: ['--max-old-space-size=512'] },
  { name: '--max-semi-space-size=32', nodeArgs: ['--max-semi-space-size=32'] },
];

interface ProcessFigures {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Seconds spent in garbage collection so far (prom-client's nodejs_gc_duration_seconds, all kinds). */
  gcSeconds: number;
}

async function figuresOf(url: string): Promise<ProcessFigures> {
  const text = await (
    await fetch(`${url}/metrics`, { headers: metricsAuth, signal: AbortSignal.timeout(5000) })
  ).text();
  const mb = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20);
  const gcSeconds = [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)/gm)].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
  return {
    rssMb: mb('process_resident_memory_bytes'),
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
    gcSeconds,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  ensureBuilt();
  const client = await MongoClient.connect(MONGO_HOST_URI, { retryWrites: false, serverSelectionTimeoutMS: 5000 });
  const db = client.db(BENCH_DB);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const auth = await startFakeAuth();
  const floors = new Floors(db, redis);
  const rows: Record<string, unknown>[] = [];
  try {
    await db.dropDatabase();
    const seeder = new Seeder(db, 10);
    await seeder.topUpTo(1000);
    const load = scenarios(seeder, floors).filter((s) => s.name === 'my-orders' || s.name === 'get-order');
    for (let turn = 1; turn <= 2; turn++) {
      for (const v of VARIANTS) {
        const env = serviceEnv(auth.url, 9, await freePort());
        const api = await startApi(env, false, false, v.nodeArgs);
        const idle = memoryOf(api.pid)?.rssMb ?? 0;
        // A short warm-up, so JIT compilation is not charged to the measured requests.
        for (const s of load) await runHttp(api.url, s.api, 10, { seconds: 1 });
        const before = await figuresOf(api.url);
        const cpuBefore = cpuMsOf(api.pid);
        const rss = sampleRss(api.pid, 100);
        const bySide: Record<string, { reqPerSec: number; p50Ms: number; p99Ms: number }> = {};
        let requests = 0;
        for (const s of load) {
          const tally = new Tally();
          await runHttp(api.url, s.api, 10, { seconds: SECONDS }, tally);
          const r = tally.result();
          bySide[s.name] = { reqPerSec: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms };
          requests += r.ok + r.non2xx;
        }
        const cpuMs = cpuMsOf(api.pid) - cpuBefore;
        const peakSampled = rss.stop();
        const loaded = await figuresOf(api.url);
        await sleep(IDLE_MS);
        const kept = await figuresOf(api.url);
        const row = {
          variant: v.name,
          round: turn,
          requests,
          cpuMsPerRequest: round(cpuMs / Math.max(1, requests), 3),
          gcMsPerRequest: round(((loaded.gcSeconds - before.gcSeconds) * 1000) / Math.max(1, requests), 3),
          idleRssMb: idle,
          peakRssMb: Math.max(peakSampled, memoryOf(api.pid)?.peakMb ?? 0),
          keptAfterLoad: {
            rssMb: kept.rssMb,
            heapUsedMb: kept.heapUsedMb,
            heapTotalMb: kept.heapTotalMb,
            externalMb: kept.externalMb,
          },
          ...bySide,
        };
        log(JSON.stringify(row));
        rows.push(row);
        await api.close();
      }
    }
  } finally {
    await floors.close();
    await obliterateQueues(redis).catch(() => undefined);
    await db.dropDatabase().catch(() => undefined);
    await auth.close();
    await client.close();
    redis.disconnect();
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `memory-${startedAt.replace(/[:.]/g, '-')}.json`);
  const body = `${JSON.stringify({ startedAt, seconds: SECONDS, connections: 10, orders: 1000, rows }, null, 2)}\n`;
  writeFileSync(file, body);
  writeFileSync(path.join(RESULTS_DIR, 'memory-latest.json'), body);
  log(`wrote ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench:memory failed: ${String(err)}`);
    process.exit(1);
  },
);
