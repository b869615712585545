import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { SMTPServer } from 'smtp-server';
import {
  BENCH_DB,
  JWT_SECRET,
  METRICS_TOKEN,
  MONGODB_URI,
  QUEUE_PREFIX,
  REDIS_URL,
  RESULTS_DIR,
  ROOT,
  SERVICE_API_KEY,
  WEBHOOK_SECRET_KEY,
  WORKER_CONCURRENCY,
} from './config';
import { customerOf, type Customer } from './seed';
import { log, psql, sleep, withTimeout } from './util';

export const SWEEP_INTERVAL_MS = 3_600_000;

/** Users who place orders in the create scenario (not the seeded customers: their pages stay ~10 orders). */
export const creatorOf = (i: number): Customer => ({
  userId: `b1${i.toString(16).padStart(22, '0')}`,
  customerId: `c1${i.toString(16).padStart(22, '0')}`,
  email: `bench.creator${i}@example.in`,
  firstName: 'Bench',
  lastName: `Creator ${i}`,
});
export const ADMIN = { userId: 'a0bench00000000000000001', name: 'Order Desk', email: 'desk@example.in' };

/** Who a user id names: seeded customer (b0…), creator (b1…), or nobody. */
export function userById(id: string): Customer | null {
  const m = /^b([01])([0-9a-f]{22})$/.exec(id);
  if (!m) return null;
  const n = parseInt(m[2], 16);
  return m[1] === '0' ? customerOf(n) : creatorOf(n);
}

const tokens = new Map<string, string>();
/** A signed HS256 access token (valid 2 h), cached per user. */
export function tokenFor(userId: string, role: 'Customer' | 'Administrator', email: string, name: string): string {
  let t = tokens.get(userId);
  if (!t)
    tokens.set(
      userId,
      (t = jwt.sign({ sub: userId, role, email, name }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '2h' })),
    );
  return t;
}
export const customerToken = (c: Customer): string =>
  tokenFor(c.userId, 'Customer', c.email, `${c.firstName} ${c.lastName}`);
export const adminToken = (): string => tokenFor(ADMIN.userId, 'Administrator', ADMIN.email, ADMIN.name);

export interface Closable {
  close(): Promise<void>;
}

/** The Auth Service's GET /api/auth/user/:id, answering for every bench user. */
export async function startFakeAuth(): Promise<Closable & { url: string; calls(): number }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls++;
    const m = /^\/api\/auth\/user\/([^/?]+)$/.exec(req.url ?? '');
    const user = m ? userById(decodeURIComponent(m[1])) : null;
    res.setHeader('content-type', 'application/json');
    if (req.headers['x-service-api-key'] !== SERVICE_API_KEY)
      res.writeHead(401).end('{"success":false,"message":"bad service key"}');
    else if (!user) res.writeHead(404).end('{"success":false,"message":"User not found"}');
    else
      res.writeHead(200).end(
        JSON.stringify({
          success: true,
          data: {
            _id: user.userId,
            email: user.email,
            firstName: user.firstName,
            lastName: user.lastName,
            customerId: user.customerId,
          },
        }),
      );
  });
  return listenFake(server, () => calls);
}

/** A fake of another service, listening on a free loopback port; `calls` counts its requests. */
export async function listenFake(
  server: http.Server,
  calls: () => number,
): Promise<Closable & { url: string; calls(): number }> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An SMTP server that accepts every message and discards it (keeping the first one whole). */
export async function startSmtpSink(): Promise<
  Closable & { port: number; accepted(): number; sample(): Buffer | null }
> {
  let accepted = 0;
  let sample: Buffer | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 1000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (!sample) chunks.push(c);
      });
      stream.on('end', () => {
        accepted++;
        if (!sample) sample = Buffer.concat(chunks);
        callback(null, 'Message queued');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    accepted: () => accepted,
    sample: () => sample,
    close: () =>
      withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 3000, 'SMTP sink close').catch(
        () => undefined,
      ),
  };
}

/** The environment of the API and worker processes: production-like, the bench's own db and prefix. */
export function serviceEnv(authUrl: string, smtpPort: number, port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    ENVIRONMENT: 'production',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    MONGODB_URI,
    REDIS_URL,
    QUEUE_PREFIX,
    JWT_SECRET,
    SERVICE_API_KEY,
    WEBHOOK_SECRET_KEY,
    AUTH_SERVICE_URL: authUrl,
    CUSTOMER_SERVICE_URL: 'http://127.0.0.1:9', // no customer-stats worker runs in the bench
    RATE_LIMIT_MAX: '1000000000',
    METRICS_ENABLED: 'true',
    METRICS_TOKEN,
    BOARD_USER: 'bench-operator',
    BOARD_PASSWORD: 'bench-board-password-0123',
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(smtpPort),
    EMAIL_USER: '',
    EMAIL_PASSWORD: '',
    EMAIL_SECURE: 'false',
    WORKERS: 'emails',
    // The sweepers' queries are full scans on FerretDB v1 (see README); at 100k orders one
    // tick outlasts the 10 s interval and they would run back to back during every
    // scenario. They run once at start, and the bench times their queries on their own.
    OUTBOX_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    // The API serves what the exports worker writes; the bench removes it after each export.
    EXPORT_DIR: path.join(os.tmpdir(), `${QUEUE_PREFIX}-exports`),
  };
}

export interface ServiceProcess extends Closable {
  child: ChildProcess;
  pid: number;
  url: string;
  output(): string;
  /** With BENCH_TRACE: database commands since the last call ({} otherwise). */
  trace(): Promise<Record<string, { n: number; ms: number }>>;
}

/** Every API and worker process started and not yet exited, so a run that is given up on can kill them. */
const live = new Set<ChildProcess>();

/** SIGKILLs every API and worker process the bench started that is still running. */
export function killAllServices(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Starts `node <entry>` from dist, resolving when it sends 'ready' over IPC (pm2's wait_ready). */
async function startNode(
  name: string,
  entry: string,
  args: string[],
  env: Record<string, string>,
  nodeFlags: string[],
  port: number,
): Promise<ServiceProcess> {
  ensureBuilt();
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  live.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        child.on('message', (m) => {
          if (m === 'ready') resolve();
        });
        void exited.then(() => reject(new Error(`${name} exited before it was ready:\n${out}`)));
      }),
      60_000,
      `${name} start`,
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`);
  const pid = child.pid;
  return {
    child,
    pid,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    trace: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.off('message', on);
          resolve({});
        }, 2000);
        const on = (m: unknown) => {
          const t = (m as { benchTrace?: Record<string, { n: number; ms: number }> } | null)?.benchTrace;
          if (!t) return;
          clearTimeout(timer);
          child.off('message', on);
          resolve(t);
        };
        child.on('message', on);
        if (!child.send('bench:trace')) {
          clearTimeout(timer);
          resolve({});
        }
      }),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) {
        log(`${name} did not stop on SIGTERM; killing it`);
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** An app's node flags as pm2 runs it (ecosystem.config.js), so the bench runs the same process. */
export function pm2NodeArgs(app: 'orms-api' | 'orms-workers'): string[] {
  const eco = createRequire(__filename)(path.join(ROOT, 'ecosystem.config.js')) as {
    apps: { name: string; node_args?: string[] | string }[];
  };
  const args = eco.apps.find((a) => a.name === app)?.node_args ?? [];
  return Array.isArray(args) ? args : args.split(/\s+/).filter(Boolean);
}

/** node --cpu-prof into bench/results/prof (BENCH_PROFILE=1). */
const profileFlags = (profile: boolean): string[] =>
  profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RESULTS_DIR, 'prof')}`] : [];

export async function startApi(
  env: Record<string, string>,
  profile: boolean,
  trace: boolean,
  nodeArgs = pm2NodeArgs('orms-api'),
): Promise<ServiceProcess> {
  const port = Number(env.PORT);
  const flags = [
    ...nodeArgs,
    ...(trace ? ['--import', 'tsx', '--import', path.join(ROOT, 'bench', 'trace-mongo.ts')] : []),
    ...profileFlags(profile),
  ];
  return startNode('API', 'dist/api/server.js', [], env, flags, port);
}

/** bench/bare-api.ts (the least any server does for the reads) with the API's node flags, on its own port. */
export async function startBareApi(env: Record<string, string>, port: number): Promise<ServiceProcess> {
  return startNode(
    'bare API',
    'bench/bare-api.ts',
    [],
    { ...env, PORT: String(port) },
    [...pm2NodeArgs('orms-api'), '--import', 'tsx'],
    port,
  );
}

/** `node dist/workers/main.js <names…>` as pm2 runs it (or with `nodeArgs`); the emails worker alone unless told. */
export async function startWorkers(
  env: Record<string, string>,
  names: readonly string[] = ['emails'],
  nodeArgs = pm2NodeArgs('orms-workers'),
  profile = false,
): Promise<ServiceProcess> {
  return startNode(
    'workers',
    'dist/workers/main.js',
    [...names],
    { ...env, PORT: '0' },
    [...nodeArgs, ...profileFlags(profile)],
    0,
  );
}

const ENTRIES = ['dist/api/server.js', 'dist/workers/main.js'];

/**
 * `npm run build`. Others work in this tree: a compile error in their half-done files
 * fails tsc while it still emits, so the build counts as done when the entry points exist.
 */
export function build(): void {
  const res = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  const missing = ENTRIES.filter((e) => !existsSync(path.join(ROOT, e)));
  if (missing.length)
    throw new Error(`npm run build did not produce ${missing.join(', ')}:\n${res.stdout}\n${res.stderr}`);
  if (res.status !== 0)
    log(
      `warning: npm run build reported errors (dist was emitted anyway):\n${(res.stdout + res.stderr)
        .split('\n')
        .filter((l) => l.includes('error'))
        .slice(0, 5)
        .join('\n')}`,
    );
}

/** Builds again if someone removed dist since (a shared tree). */
export function ensureBuilt(): void {
  if (ENTRIES.some((e) => !existsSync(path.join(ROOT, e)))) {
    log('dist is missing (removed by someone else?); building again');
    build();
  }
}

/**
 * Every API and worker process sweeps once as it starts (src/api/sweepers.ts). On FerretDB
 * v1 at 100k orders that sweep decodes every order and item (about a minute of database
 * time), which would load whatever is measured next. This cancels the bench database's
 * running PostgreSQL statements right after a start (the sweep fails, logs, and would retry
 * at the next interval); the cost of the sweep's queries is timed on its own instead.
 * Returns how many statements were cancelled; best effort (0 without psql).
 */
export async function cancelStartupSweep(): Promise<number> {
  let cancelled = 0;
  for (let i = 0; i < 10 && cancelled === 0; i++) {
    try {
      cancelled =
        Number(
          psql(
            `SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%"${BENCH_DB}".%'`,
          ),
        ) || 0;
    } catch {
      return 0;
    }
    if (!cancelled) await sleep(300);
  }
  return cancelled;
}
