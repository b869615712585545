import type { Express, Router } from 'express';
import mongoose from 'mongoose';
import { scanKeys, type RedisClient } from '../../src/infra/redis';
import { buildApp } from '../../src/api/app';
import type { RateLimitOptions } from '../../src/api/middleware/rate-limit';
import { createCustomerServiceClient } from '../../src/clients/customer-service';
import { createMailer, type MailerOptions } from '../../src/clients/mailer';
import { config } from '../../src/config';
import { connectMongo } from '../../src/infra/mongo';
import { Phase } from '../../src/infra/shutdown';
import type { OutboxRelay } from '../../src/services/events/outbox-relay';
import type { Queues } from '../../src/queues/queues';
import type { ServiceDeps } from '../../src/services/deps';
import { startRuntime } from '../../src/runtime';
import { customerServiceOptions, mailerOptions, workerSettings, type WorkerSettings } from '../../src/workers/settings';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { Driver } from './driver';
import { startFakeAuthService, type FakeAuthService } from './fake-auth-service';
import { startFakeCustomerService, type FakeCustomerService } from './fake-customer-service';
import { startTestSmtpServer, type TestSmtpServer } from './smtp-test-server';
import type { TestUser } from './tokens';
import type { WorkQueueName } from '../../src/shared/names';

export interface TestAppOptions {
  extraRouters?: { path: string; router: Router }[];
  rateLimit?: RateLimitOptions | false;
  /** An own Redis connection (a test that stops Redis). */
  redis?: () => RedisClient;
  /** Workers to run in this process, on this file's queues. */
  workers?: WorkQueueName[];
  /** A real SMTP server the emails worker sends to (smtp-server, in this process). */
  smtp?: boolean;
  /** The Customer Service as a real HTTP server, for the statistics worker. */
  customers?: boolean;
  settings?: Partial<WorkerSettings>;
  mail?: Partial<MailerOptions>;
}

export interface TestApp {
  app: Express;
  auth: FakeAuthService;
  redis: RedisClient;
  queues: Queues;
  outbox: OutboxRelay;
  services: ServiceDeps;
  /** Present when asked for in the options. */
  smtp: TestSmtpServer;
  customers: FakeCustomerService;
  workers: RunningWorkers;
  /** Arranges state as `user` through the API; every step throws on an unexpected answer. */
  as(user: TestUser): Driver;
  /** Drops this file's database and queue keys, then stops everything in order. */
  close(): Promise<void>;
}

export interface UsedTestApp extends TestApp {
  /** Something of the file's own to stop before the app (a child process, a server). */
  onClose(fn: () => Promise<unknown> | unknown): void;
}

/** The real app on this file's own database and queue prefix, with a fake Auth Service. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  await connectMongo();
  await mongoose.connection.db?.dropDatabase();
  const auth = await startFakeAuthService();
  const rt = await startRuntime({
    role: 'test',
    // Generous: the stand-in answers in milliseconds, but a machine busy with the chaos suites
    // can starve this process for over a second (a test placing 12 orders at once saw a 502).
    authService: { url: auth.url, timeoutMs: 5000 },
    redis: opts.redis?.(),
  });
  rt.shutdown.add('fake auth service', Phase.background, () => auth.close());
  // Before the connections close: the data this file made.
  rt.shutdown.add('test data', Phase.background, async () => {
    await deleteQueueKeys(rt.redis).catch(() => undefined);
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
  });
  const app = buildApp({
    services: rt.services,
    redis: rt.redis,
    queues: rt.queues,
    extraRouters: opts.extraRouters,
    rateLimit: opts.rateLimit,
  });
  const t = {
    app,
    auth,
    redis: rt.redis,
    queues: rt.queues,
    outbox: rt.outbox,
    services: rt.services,
    as: (user: TestUser) => new Driver(app, user),
    close: () => rt.shutdown.stop(),
  } as TestApp;
  if (opts.smtp) {
    t.smtp = await startTestSmtpServer();
    rt.shutdown.add('smtp server', Phase.background, () => t.smtp.close());
  }
  if (opts.customers) {
    t.customers = await startFakeCustomerService();
    rt.shutdown.add('customer service', Phase.background, () => t.customers.close());
  }
  if (opts.workers) {
    const mailer = createMailer(
      mailerOptions({
        ...(t.smtp ? { host: t.smtp.host, port: t.smtp.port, secure: false } : {}),
        ...opts.mail,
      }),
    );
    t.workers = await startWorkers(opts.workers, {
      queues: rt.queues,
      outbox: rt.outbox,
      services: rt.services,
      mailer,
      customerService: createCustomerServiceClient(
        customerServiceOptions({ url: t.customers?.url ?? 'http://127.0.0.1:9', timeoutMs: 1000 }),
      ),
      settings: workerSettings({ lockDurationMs: 5000, stalledIntervalMs: 5000, ...opts.settings }),
    });
    rt.shutdown.add('workers', Phase.intake, async () => {
      await t.workers.close(2000);
      mailer.close();
    });
  }
  return t;
}

/**
 * The test app for one file: started before its tests, stopped after them. Read its
 * fields inside tests and hooks (they are filled in when the file's tests start).
 */
export function useTestApp(opts: TestAppOptions = {}): UsedTestApp {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const t = { onClose: (fn) => void cleanups.push(fn) } as UsedTestApp;
  beforeAll(async () => {
    Object.assign(t, await startTestApp(opts));
  }, 30_000);
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await t.close?.();
  });
  return t;
}

/** Removes every key under this file's queue prefix. */
export async function deleteQueueKeys(redis: RedisClient): Promise<void> {
  if (redis.status !== 'ready') return;
  // The queues' `{<stem>:<queue>}:…` and the limits' `<stem>:…`.
  for (const { node, keys } of await scanKeys(redis, `*${config.QUEUE_PREFIX}*`)) {
    for (let i = 0; i < keys.length; i += 500) await node.del(...keys.slice(i, i + 500));
  }
}

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
