import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { BENCH_DB, MONGO_HOST_URI, REDIS_URL, RESULTS_DIR, metricsAuth } from './config';
import { Floors, obliterateQueues } from './floors';
import { runHttp, Tally } from './load';
import { scenarios } from './scenarios';
import { Seeder } from './seed';
import { ensureBuilt, pm2NodeArgs, serviceEnv, startApi, startFakeAuth } from './stack';
import { freePort, log, memoryOf, sampleRss } from './util';

/**
 * `npm run bench:memory`: why the API's RSS passes 200 MB under load, by experiment. The
 * same API (dist) under the same load (my-orders, then get-order, 10 connections, 1k
 * orders), started with different node flags and malloc settings, twice each in turn;
 * reports the peak RSS, V8's heap figures right after, and the throughput, as JSON in
 * bench/results/memory-<timestamp>.json.
 */
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 10);
const VARIANTS: { name: string; nodeArgs: string[]; env: Record<string, string> }[] = [
  { name: 'node defaults', nodeArgs: [], env: {} },
  { name: '--max-semi-space-size=2', nodeArgs: ['--max-semi-space-size=2'], env: {} },
  { name: 'MALLOC_ARENA_MAX=2', nodeArgs: [], env: { MALLOC_ARENA_MAX: '2' } },
  { name: '--max-semi-space-size=2 --max-old-space-size=128', nodeArgs: ['--max-semi-space-size=2', '--max-old-space-size=128'], env: {} },
  { name: `pm2 node_args (${pm2NodeArgs('orms-api').join(' ')})`, nodeArgs: pm2NodeArgs('orms-api'), env: {} },
];

async function heapOf(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: metricsAuth, signal: AbortSignal.timeout(5000) })).text();
  const mb = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20);
  return { rssMb: mb('process_resident_memory_bytes'), heapUsedMb: mb('nodejs_heap_size_used_bytes'), heapTotalMb: mb('nodejs_heap_size_total_bytes'), externalMb: mb('nodejs_external_memory_bytes') };
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
    for (let round = 1; round <= 2; round++) {
      for (const v of VARIANTS) {
        const env = { ...serviceEnv(auth.url, 9, await freePort()), ...v.env };
        const api = await startApi(env, false, false, v.nodeArgs);
        const idle = memoryOf(api.pid)?.rssMb ?? 0;
        const rss = sampleRss(api.pid, 100);
        const perSec: Record<string, number> = {};
        for (const s of load) {
          const tally = new Tally();
          await runHttp(api.url, s.api, 10, { seconds: SECONDS }, tally);
          perSec[s.name] = tally.result().opsPerSec;
        }
        const peakSampled = rss.stop();
        const after = await heapOf(api.url);
        const row = { variant: v.name, round, idleRssMb: idle, peakRssMb: Math.max(peakSampled, memoryOf(api.pid)?.peakMb ?? 0), after, reqPerSec: perSec };
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
