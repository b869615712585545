import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ObjectId } from 'mongodb';
import nodemailer from 'nodemailer';
import { QUEUE_PREFIX, REDIS_URL, WORKER_CONCURRENCY, type BenchSettings } from './config';
import { JOB_OPTIONS } from './floors';
import type { Seeder } from './seed';
import { cancelStartupSweep, startWorkers, type ServiceProcess } from './stack';
import { cpuMsOf, log, memoryOf, ownCpuMs, percentiles, rng, round, sleep } from './util';
import { queuePrefix } from '../src/queues/prefix';

export interface Throughput {
  jobs: number;
  done: number;
  failed: number;
  seconds: number;
  perSec: number;
  /** Per job (worker: processedOn → finishedOn) or per message (mail loop), ms. */
  p50Ms: number;
  p99Ms: number;
  /** The time cap was reached before every job finished. */
  capped: boolean;
}

export interface EmailsResult {
  orders: number;
  /** 'gin': measured again with GIN indexes in PostgreSQL that FerretDB's lookups can use. */
  indexes?: 'gin';
  status: 'ok' | 'failed';
  note?: string;
  worker?: Throughput;
  noopFloor?: Throughput;
  mailFloor?: Throughput;
  /** Not a floor: nodemailer without a pool, one connection per message, as src/clients/mailer.ts sends. */
  mailUnpooled?: Throughput;
  slowerFloor?: 'noop worker' | 'nodemailer pool';
  ratio?: number;
  workersPeakRssMb?: number;
  /** CPU per job of the worker process, per job of the no-op worker and per message of the pool (both in the bench process), ms. */
  cpuMs?: { workerPerJob: number; noopPerJob: number; mailPerMessage: number };
}

function tp(jobs: number, done: number, failed: number, ms: number, lat: number[], capped: boolean): Throughput {
  const [p50, p99] = percentiles(lat, [50, 99]);
  return {
    jobs,
    done,
    failed,
    seconds: round(ms / 1000, 2),
    perSec: round(ms > 0 ? (done / ms) * 1000 : 0, 1),
    p50Ms: round(p50, 1),
    p99Ms: round(p99, 1),
    capped,
  };
}

/** N order.created jobs for random seeded orders, as the outbox relay would enqueue them. */
function eventJobs(seeder: Seeder, n: number, r: () => number) {
  return Array.from({ length: n }, () => {
    const o = seeder.orders[Math.floor(r() * seeder.orders.length)];
    const eventId = randomUUID();
    const data = {
      eventId,
      type: 'order.created',
      orderRef: o._id.toHexString(),
      orderId: o.orderId,
      userId: o.userId,
      customerId: seeder.customerOfUser(o.userId).customerId,
      occurredAt: new Date().toISOString(),
      previousStatus: null,
      newStatus: 'Placed',
      returnId: null,
    };
    return { name: 'order.created', data, opts: { jobId: eventId } };
  });
}

/** What the outbox relay records before it queues an event's jobs; workers refuse a job without it. */
async function recordEvents(seeder: Seeder, jobs: ReturnType<typeof eventJobs>): Promise<void> {
  const records = jobs.map(({ data: { eventId, orderRef, occurredAt, ...rest } }) => ({
    ...rest,
    _id: eventId,
    orderRef: new ObjectId(orderRef),
    occurredAt: new Date(occurredAt),
  }));
  await seeder.db.collection<{ _id: string }>('order_events').insertMany(records);
}

/** Fills a paused queue, resumes it, and waits (bounded) until every job completed or failed. */
async function drain(queue: Queue, jobs: ReturnType<typeof eventJobs>, capMs: number): Promise<Throughput> {
  await queue.obliterate({ force: true });
  await queue.pause();
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
  const t0 = performance.now();
  await queue.resume();
  let counts = { completed: 0, failed: 0 };
  let capped = false;
  for (;;) {
    const c = await queue.getJobCounts('completed', 'failed');
    counts = { completed: c.completed ?? 0, failed: c.failed ?? 0 };
    if (counts.completed + counts.failed >= jobs.length) break;
    if (performance.now() - t0 > capMs) {
      capped = true;
      break;
    }
    await sleep(25);
  }
  const ms = performance.now() - t0;
  await queue.pause();
  const finished = await queue.getJobs(['completed'], 0, jobs.length);
  const lat = finished
    .filter((j: Job) => j.processedOn && j.finishedOn)
    .map((j: Job) => (j.finishedOn as number) - (j.processedOn as number));
  return tp(jobs.length, counts.completed, counts.failed, ms, lat, capped);
}

/** `n` sends of `raw` over `transport` from `concurrency` loops. */
async function mailLoop(
  transport: nodemailer.Transporter,
  raw: Buffer,
  n: number,
  concurrency: number,
): Promise<Throughput> {
  let next = 0;
  let failed = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const s = performance.now();
        try {
          await transport.sendMail({
            envelope: { from: 'orders@rman-ecommerce.com', to: ['customer@example.in'] },
            raw,
          });
        } catch {
          failed++;
        }
        lat.push(performance.now() - s);
      }
    }),
  );
  return tp(n, n - failed, failed, performance.now() - t0, lat, false);
}

/**
 * The emails worker (dist/workers/main.js emails, a child process) against its floors: a
 * no-op BullMQ worker on the same jobs at the same concurrency, and a nodemailer pool
 * sending the same message to the same SMTP sink at the same concurrency.
 */
export async function measureEmails(
  seeder: Seeder,
  orders: number,
  env: Record<string, string>,
  smtp: { port: number; sample(): Buffer | null },
  cfg: BenchSettings,
): Promise<EmailsResult> {
  const producer = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const blocking = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const real = new Queue('emails', {
    connection: producer,
    prefix: queuePrefix(QUEUE_PREFIX, 'emails'),
    defaultJobOptions: JOB_OPTIONS,
  });
  const noopQueue = new Queue('bench-noop', {
    connection: producer,
    prefix: queuePrefix(QUEUE_PREFIX, 'bench-noop'),
    defaultJobOptions: JOB_OPTIONS,
  });
  const pooled = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    pool: true,
    maxConnections: WORKER_CONCURRENCY,
    maxMessages: Infinity,
  });
  const single = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false });
  let workers: ServiceProcess | null = null;
  const r = rng(orders);
  const sum = {
    worker: [] as Throughput[],
    noop: [] as Throughput[],
    mail: [] as Throughput[],
    single: [] as Throughput[],
  };
  const cpu = { worker: 0, noop: 0, mail: 0 };
  try {
    workers = await startWorkers(env, ['emails'], undefined, cfg.profile);
    log(`emails worker pid ${workers.pid}; startup sweep statements cancelled: ${await cancelStartupSweep()}`);
    for (let round = 0; round < cfg.emailRounds; round++) {
      const n = cfg.emailJobs;
      const jobs = eventJobs(seeder, n, r);
      await recordEvents(seeder, jobs);
      let before = cpuMsOf(workers.pid);
      sum.worker.push(await drain(real, jobs, cfg.emailCapMs));
      cpu.worker += cpuMsOf(workers.pid) - before;
      const noop = new Worker('bench-noop', async () => undefined, {
        connection: blocking,
        prefix: queuePrefix(QUEUE_PREFIX, 'bench-noop'),
        concurrency: WORKER_CONCURRENCY,
      });
      try {
        before = ownCpuMs();
        sum.noop.push(await drain(noopQueue, eventJobs(seeder, n, r), cfg.emailCapMs));
        cpu.noop += ownCpuMs() - before;
      } finally {
        await noop.close();
      }
      const raw =
        smtp.sample() ??
        Buffer.from(
          `From: orders@rman-ecommerce.com\r\nTo: customer@example.in\r\nSubject: Order confirmed\r\n\r\n${'x'.repeat(8000)}\r\n`,
        );
      before = ownCpuMs();
      sum.mail.push(await mailLoop(pooled, raw, n, WORKER_CONCURRENCY));
      cpu.mail += ownCpuMs() - before;
      sum.single.push(await mailLoop(single, raw, Math.min(n, 500), WORKER_CONCURRENCY));
      const w = sum.worker[sum.worker.length - 1];
      log(
        `emails @${orders} round ${round + 1}: worker ${w.perSec}/s (${w.done}/${w.jobs}, failed ${w.failed}${w.capped ? ', capped' : ''}) | noop ${sum.noop[round].perSec}/s | pool ${sum.mail[round].perSec}/s | unpooled ${sum.single[round].perSec}/s`,
      );
    }
    const merged = (xs: Throughput[]): Throughput => {
      const jobs = xs.reduce((a, x) => a + x.jobs, 0);
      const done = xs.reduce((a, x) => a + x.done, 0);
      const seconds = xs.reduce((a, x) => a + x.seconds, 0);
      return {
        jobs,
        done,
        failed: xs.reduce((a, x) => a + x.failed, 0),
        seconds: round(seconds, 2),
        perSec: round(seconds > 0 ? done / seconds : 0, 1),
        p50Ms: round(Math.max(...xs.map((x) => x.p50Ms)), 1),
        p99Ms: round(Math.max(...xs.map((x) => x.p99Ms)), 1),
        capped: xs.some((x) => x.capped),
      };
    };
    const worker = merged(sum.worker);
    const noopFloor = merged(sum.noop);
    const mailFloor = merged(sum.mail);
    const slower = noopFloor.perSec <= mailFloor.perSec ? 'noop worker' : 'nodemailer pool';
    const floorRate = Math.min(noopFloor.perSec, mailFloor.perSec);
    return {
      orders,
      status: 'ok',
      worker,
      noopFloor,
      mailFloor,
      mailUnpooled: merged(sum.single),
      slowerFloor: slower,
      ratio: floorRate > 0 ? round(worker.perSec / floorRate, 3) : 0,
      workersPeakRssMb: memoryOf(workers.pid)?.peakMb ?? 0,
      cpuMs: {
        workerPerJob: round(cpu.worker / Math.max(1, worker.done), 3),
        noopPerJob: round(cpu.noop / Math.max(1, noopFloor.done), 3),
        mailPerMessage: round(cpu.mail / Math.max(1, mailFloor.done), 3),
      },
    };
  } catch (err) {
    log(`emails @${orders} failed: ${String(err)}`);
    return { orders, status: 'failed', note: String(err).slice(0, 500) };
  } finally {
    await workers?.close();
    pooled.close();
    single.close();
    await real.obliterate({ force: true }).catch(() => undefined);
    await noopQueue.obliterate({ force: true }).catch(() => undefined);
    await Promise.all([real.close(), noopQueue.close()]);
    producer.disconnect();
    blocking.disconnect();
  }
}
