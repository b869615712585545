import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGKILLs it if it still runs, and waits for it to be gone. */
  kill(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');

/**
 * Starts the real worker entry point (`src/workers/main.ts`) as a child process with this
 * test file's database and queue prefix (they are in process.env) plus `env`, and resolves
 * once it logs "workers started".
 */
export function startWorkerProcess(
  env: Record<string, string>,
  args: string[] = [],
  timeoutMs = 20_000,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', ENVIRONMENT: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const proc: WorkerProcess = {
    child,
    exited,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise<WorkerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the workers did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"workers started"')) {
        clearTimeout(timer);
        resolve(proc);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the workers exited (code ${code}, signal ${signal}) before starting:\n${out}`));
    });
  });
}

/** The environment a child process needs to reach a test file's peers (the ones it started). */
export function peersEnv(
  peers: { auth: { url: string }; smtp?: { host: string; port: number }; customers?: { url: string } },
  redisUrl?: string,
): Record<string, string> {
  return {
    AUTH_SERVICE_URL: peers.auth.url,
    ...(peers.smtp ? { EMAIL_HOST: peers.smtp.host, EMAIL_PORT: String(peers.smtp.port) } : {}),
    ...(peers.customers ? { CUSTOMER_SERVICE_URL: peers.customers.url } : {}),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
}
