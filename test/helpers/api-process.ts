import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGKILLs it if it still runs, and waits for it to be gone. */
  kill(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');

/**
 * Starts the real API entry point (`src/api/server.ts`) as a child process on an ephemeral
 * port, with this test file's database and queue prefix (they are in process.env), and
 * resolves once it logs "api listening".
 */
export function startApiProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', ENVIRONMENT: 'test', LOG_LEVEL: 'info', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const proc = (port: number): ApiProcess => ({
    child,
    url: `http://127.0.0.1:${port}`,
    exited,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  });

  return new Promise<ApiProcess>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      out += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let entry: { msg?: string; port?: number };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.msg === 'api listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(proc(entry.port));
        }
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the API exited (code ${code}, signal ${signal}) before listening:\n${out}`));
    });
  });
}
