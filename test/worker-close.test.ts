import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * BullMQ retries writing a job's outcome for as long as the worker's connection is closed,
 * without a pause once the worker is closing, and adds a stack trace to the job at each try:
 * a job that failed after its worker gave up waiting for it kept the process busy forever
 * (its timers never fired, so it never exited). Seen as a test run that never ended.
 */
const ROOT = path.resolve(__dirname, '..');

function runToExit(
  script: string,
  deadlineMs: number,
): Promise<{ code: number | null; output: string; exitedInTime: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, output, exitedInTime: signal === null });
    });
  });
}

describe('closing a queue worker whose job outlives the budget', () => {
  it('hands the job back to the queue, and the process still exits by itself when the job fails afterwards', async () => {
    const run = await runToExit('test/helpers/released-job-process.ts', 20_000);

    expect(run.output).toMatch(/after close: waiting/);
    expect(run.output).toMatch(/late outcome came/);
    expect({ exitedInTime: run.exitedInTime, code: run.code }).toEqual({ exitedInTime: true, code: 0 });
  }, 30_000);
});
