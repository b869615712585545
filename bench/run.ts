import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { BENCH_DB, benchSettings, MONGO_HOST_URI, QUEUE_PREFIX, REDIS_URL, ROOT } from './config';

const GO_MOD = path.join(ROOT, 'scripts', 'ferretdb', 'go.mod');
import { diagnose, ginExperiment, ginIndexes, rollupExperiment, type QueryDiagnosis } from './diagnose';
import { measureBodyDepth, type BodyDepthResult } from './body-depth';
import { measureCapacity, type CapacityResult } from './capacity';
import { measureEmails, type EmailsResult } from './emails';
import { EXPORT_HEAP_CAP_MB, measureExport, type ExportResult } from './exports';
import { Floors, obliterateQueues } from './floors';
import { evaluate, updateCapacityBlock, updateReadme, writeResults, type BenchReport } from './report';
import { measure, scenarios, type ApiHandle, type ScenarioResult } from './scenarios';
import { Seeder } from './seed';
import { runSoak, soakMarkdown, writeSoak } from './soak';
import {
  build,
  cancelStartupSweep,
  killAllServices,
  SWEEP_INTERVAL_MS,
  serviceEnv,
  startApi,
  startBareApi,
  startFakeAuth,
  startSmtpSink,
  type Closable,
  type ServiceProcess,
} from './stack';
import { freePort, log, memoryOf, round } from './util';

/**
 * `npm run bench`: builds, seeds its own database, starts the API from dist against a fake
 * Auth Service and an SMTP sink, measures every scenario against its floor at 1k and at
 * 100k orders (3k with BENCH_QUICK=1), then the emails worker, and (at the small size) what a
 * second API and worker process buy (bench/capacity.ts); writes
 * bench/results/<timestamp>.json, latest.json and the tables in bench/README.md.
 */
async function main(): Promise<number> {
  const cfg = benchSettings();
  if (cfg.only === 'soak') return soak(cfg.skipBuild);
  const started = new Date();
  const closers: Closable[] = [];
  let api: ServiceProcess | null = null;
  const results: ScenarioResult[] = [];
  const emails: EmailsResult[] = [];
  const exports: ExportResult[] = [];
  const diagnostics: QueryDiagnosis[] = [];
  let bodyDepth: BodyDepthResult | undefined;
  let capacity: CapacityResult | undefined;
  const environment: BenchReport['environment'] = {
    node: process.version,
    cpus: os.cpus().length,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    loadAverageAtStart: os.loadavg()[0].toFixed(2),
    database: '?',
    redis: '?',
    apiEnvironment: 'production',
    metricsEnabled: true,
    logLevel: 'warn',
    rateLimitMax: 1e9,
    workerConcurrency: 5,
    sweepIntervalMs: SWEEP_INTERVAL_MS,
  };
  let apiPeak = 0;
  let workersPeak = 0;
  let failure: string | undefined;

  // Everything stops by itself: a run that hangs is killed with its children.
  const watchdog = setTimeout(
    () => {
      log('watchdog: the run took too long; killing it');
      killAllServices();
      process.exit(3);
    },
    (cfg.quick ? 10 : 30) * 60_000,
  );
  watchdog.unref();
  const onSignal = () => {
    killAllServices();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const client = await MongoClient.connect(MONGO_HOST_URI, {
    maxPoolSize: 20,
    retryWrites: false,
    serverSelectionTimeoutMS: 5000,
  });
  const db = client.db(BENCH_DB);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let floors: Floors | null = null;
  try {
    if (!cfg.skipBuild) {
      log('npm run build');
      build();
    }
    const info = await db.command({ buildInfo: 1 });
    const pinned = /FerretDB\/FerretDB (v[\d.]+)/.exec(existsSync(GO_MOD) ? readFileSync(GO_MOD, 'utf8') : '')?.[1];
    environment.database = `FerretDB ${info.ferretdbVersion && info.ferretdbVersion !== 'unknown' ? String(info.ferretdbVersion) : (pinned ?? '?')} on PostgreSQL (MongoDB wire ${String(info.version)})`;
    environment.redis = `Redis ${/redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?'}`;
    await db.dropDatabase();
    await obliterateQueues(redis);

    const auth = await startFakeAuth();
    closers.push(auth);
    const smtp = await startSmtpSink();
    closers.push(smtp);
    const env = serviceEnv(auth.url, smtp.port, await freePort());

    const seeder = new Seeder(db, cfg.ordersPerCustomer);
    floors = new Floors(db, redis);
    log(`seeding ${cfg.smallOrders} orders`);
    await seeder.topUpTo(cfg.smallOrders);
    api = await startApi(env, cfg.profile, cfg.trace);
    log(`API pid ${api.pid} at ${api.url} (profile: ${cfg.profile}, trace: ${cfg.trace})`);
    const handle: ApiHandle = {
      get url() {
        return (api as ServiceProcess).url;
      },
      get pid() {
        return (api as ServiceProcess).pid;
      },
      trace: () => (api as ServiceProcess).trace(),
      async restart() {
        const old = api as ServiceProcess;
        apiPeak = Math.max(apiPeak, memoryOf(old.pid)?.peakMb ?? 0);
        old.child.kill('SIGKILL');
        await old.close();
        api = await startApi(env, cfg.profile, cfg.trace);
        log(`API restarted: pid ${api.pid}; startup sweep statements cancelled: ${await cancelStartupSweep()}`);
      },
    };
    // BENCH_ONLY=<case>: that case alone.
    if (cfg.only === null || cfg.only === 'body-depth') bodyDepth = await measureBodyDepth(handle, cfg);
    const measureCapacityNow = async () => {
      capacity = await measureCapacity(handle, env, await db.collection('orders').estimatedDocumentCount(), cfg);
      await obliterateQueues(redis);
    };
    if (cfg.only === 'capacity') await measureCapacityNow();
    // Every order to a CSV: rows/s, and the worker's peak RSS, which must not grow with the count.
    const measureExportNow = async () => {
      const orders = await db.collection('orders').estimatedDocumentCount();
      for (const heapCapMb of [null, EXPORT_HEAP_CAP_MB])
        exports.push(await measureExport(handle.url, orders, env, cfg.quick ? 120_000 : 600_000, heapCapMb));
    };
    if (cfg.only === 'exports') {
      await measureExportNow();
      log(`topping up to ${cfg.largeOrders} orders`);
      await seeder.topUpTo(cfg.largeOrders);
      await measureExportNow();
    }
    // The least any server does for the reads, measured beside them where the cost is judged.
    const bare = cfg.only === null || cfg.only === 'cost' ? await startBareApi(env, await freePort()) : null;
    if (bare) closers.push(bare);
    if (cfg.only === 'cost') {
      const all = scenarios(seeder, floors);
      const orders = await db.collection('orders').estimatedDocumentCount();
      const picked = (name: string) => !cfg.costOf || cfg.costOf.includes(name);
      for (const s of all.filter((x) => (x.name === 'get-order' || x.name === 'my-orders') && picked(x.name)))
        results.push(await measure(s, orders, handle, cfg, bare ?? undefined));
      if (picked('emails')) emails.push(await measureEmails(seeder, orders, env, smtp, cfg));
      const create = all.find((x) => x.kind === 'create');
      if (create && picked(create.name)) results.push(await measure(create, orders, handle, cfg));
    }
    if (cfg.only === null) {
      const all = scenarios(seeder, floors);
      const create = all.find((x) => x.kind === 'create');
      // The emails worker, then order creation: last at each size, since the orders it places
      // belong to other users than the seeded ones.
      const measureWrites = async (orders: number, indexes?: 'gin') => {
        const e = await measureEmails(seeder, orders, env, smtp, cfg);
        workersPeak = Math.max(workersPeak, e.workersPeakRssMb ?? 0);
        emails.push({ ...e, ...(indexes && { indexes }) });
        if (create) results.push({ ...(await measure(create, orders, handle, cfg)), ...(indexes && { indexes }) });
        await obliterateQueues(redis);
      };

      for (const size of [cfg.smallOrders, cfg.largeOrders]) {
        if (seeder.orders.length < size) {
          const t0 = Date.now();
          log(`topping up to ${size} orders`);
          await seeder.topUpTo(size);
          log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
        diagnostics.push(...(await diagnose(db, seeder, Math.min(cfg.requestCapMs, 5000), cfg.quick ? 1 : 5)));
        if (!cfg.quick) {
          diagnostics.push(...(await rollupExperiment(db, seeder.orders.length, 5000)));
          if (size === cfg.largeOrders)
            diagnostics.push(...(await ginExperiment(db, seeder, BENCH_DB, cfg.requestCapMs)));
        }
        const orders = await db.collection('orders').estimatedDocumentCount();
        for (const s of all.filter((x) => x.kind === 'read')) results.push(await measure(s, orders, handle, cfg));
        await measureExportNow();
        // BENCH_QUICK (a smoke run): the emails worker and order creation at the small size only.
        if (!cfg.quick || size === cfg.smallOrders) await measureWrites(orders);
        // One vs two API and worker processes, where FerretDB's scans do not yet decide everything.
        if (size === cfg.smallOrders) await measureCapacityNow();
      }
      if (!cfg.quick) {
        // The lookups again at the large size with indexes FerretDB can use (GIN, made in
        // PostgreSQL), standing in for the ones MongoDB would use: how the service itself scales.
        let gin: ReturnType<typeof ginIndexes> | null = null;
        try {
          gin = ginIndexes(BENCH_DB);
          gin.create();
        } catch (err) {
          log(`GIN pass skipped: ${String(err).slice(0, 200)}`);
        }
        if (gin) {
          try {
            const orders = await db.collection('orders').estimatedDocumentCount();
            for (const s of all.filter((x) => x.name === 'my-orders' || x.name === 'get-order'))
              results.push({ ...(await measure(s, orders, handle, cfg, bare ?? undefined)), indexes: 'gin' });
            // Each email job reads its order and items, and create clears the outbox by _id: the same lookups.
            await measureWrites(orders, 'gin');
          } finally {
            gin.drop();
          }
        }
      }
    }
    apiPeak = Math.max(apiPeak, memoryOf(api.pid)?.peakMb ?? 0);
  } catch (err) {
    failure = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`run failed: ${failure}`);
    if (api) log(`API output (tail):\n${api.output().slice(-3000)}`);
  } finally {
    if (api) {
      apiPeak = Math.max(apiPeak, memoryOf(api.pid)?.peakMb ?? 0);
      await api.close();
    }
    for (const c of closers.reverse()) await c.close().catch(() => undefined);
    await floors?.close().catch(() => undefined);
    await obliterateQueues(redis).catch((err: unknown) =>
      log(`could not clear queues ${QUEUE_PREFIX}: ${String(err)}`),
    );
    await db.dropDatabase().catch((err: unknown) => log(`could not drop ${BENCH_DB}: ${String(err)}`));
    await client.close();
    redis.disconnect();
  }

  const finished = new Date();
  environment.loadAverageAtEnd = os.loadavg()[0].toFixed(2);
  const partial = {
    scenarios: results,
    emails,
    exports,
    ...(bodyDepth && { bodyDepth }),
    ...(capacity && { capacity }),
    memory: { apiPeakRssMb: apiPeak, workersPeakRssMb: workersPeak },
    settings: cfg,
  };
  const targets = evaluate(partial);
  const report: BenchReport = {
    version: 1,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: round((finished.getTime() - started.getTime()) / 1000, 1),
    environment,
    ...partial,
    diagnostics,
    targets,
    summary: {
      passed: targets.filter((t) => t.pass === true).length,
      missed: targets.filter((t) => t.pass === false).length,
      notJudged: targets.filter((t) => t.pass === null).length,
    },
    ...(failure && { error: failure }),
  };
  const file = writeResults(report);
  if (cfg.only === 'capacity') {
    updateCapacityBlock(report);
    log(
      `wrote ${file}, results/capacity-latest.json and the capacity table in bench/README.md (BENCH_ONLY: latest.json and the main table are left as they are)`,
    );
  } else if (cfg.only)
    log(
      `wrote ${file} and results/${cfg.only}-latest.json (BENCH_ONLY: latest.json and bench/README.md are left as they are)`,
    );
  else {
    updateReadme(report);
    log(`wrote ${file}, results/latest.json and the table in bench/README.md`);
  }
  for (const t of targets)
    log(
      `${t.pass === null ? 'n/a ' : t.pass ? 'pass' : 'MISS'}  ${t.target}: ${t.value ?? '–'}${t.note ? ` (${t.note})` : ''}`,
    );
  clearTimeout(watchdog);
  // A benchmark that missed targets still ran: only a broken run fails the command.
  return failure ? 1 : 0;
}

/** BENCH_ONLY=soak: its own stack and database lifetime (bench/soak.ts), its own results and table. */
async function soak(skipBuild: boolean): Promise<number> {
  const watchdog = setTimeout(() => {
    log('watchdog: the soak took longer than 40 minutes; killing it');
    killAllServices();
    process.exit(3);
  }, 40 * 60_000);
  watchdog.unref();
  const report = await runSoak(skipBuild);
  clearTimeout(watchdog);
  const file = writeSoak(report);
  log(`wrote ${file}, results/soak-latest.json and the soak table in bench/README.md`);
  process.stdout.write(`${soakMarkdown(report)}\n`);
  return report.error ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench crashed: ${String(err)}`);
    process.exit(1);
  },
);
