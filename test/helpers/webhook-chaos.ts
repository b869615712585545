import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/** One SIGKILL of a worker process: when it was sent, and to which process. */
export interface Kill {
  at: number;
  slot: number;
  pid: number | undefined;
}

/**
 * A fleet of worker processes (the real entry point, each running `args`), one per slot,
 * that can be SIGKILLed and restarted slot by slot or all at once. Every kill is recorded,
 * and the output of every process that ends is kept in `logDir`, to read a failed run by.
 */
export class WorkerFleet {
  readonly kills: Kill[] = [];
  private readonly slots: (WorkerProcess | null)[];
  private logged = 0;

  constructor(
    size: number,
    private readonly env: Record<string, string>,
    private readonly args: string[],
    private readonly logDir: string,
    private readonly startTimeoutMs = 60_000,
  ) {
    this.slots = Array.from({ length: size }, () => null);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Starts every empty slot (in parallel) and resolves once all of them run. */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((p, slot) => (p ? undefined : this.startSlot(slot))));
  }

  /** SIGKILLs the process of `slot` (waiting until it is gone), then starts a new one there. */
  async killAndRestart(slot: number): Promise<void> {
    await this.kill(slot);
    await this.startSlot(slot);
  }

  /** The whole fleet down at once (no survivor to take over), then up again. */
  async killAllAndRestart(): Promise<void> {
    await Promise.all(this.slots.map((_, slot) => this.kill(slot)));
    await this.start();
  }

  /** Stops every process (SIGKILL) and keeps their output. */
  async stop(): Promise<void> {
    await Promise.all(
      this.slots.map(async (p, slot) => {
        if (!p) return;
        this.slots[slot] = null;
        await p.kill();
        this.keepLog(p);
      }),
    );
  }

  /** Processes that exited without being killed here (a crash of the workers themselves). */
  readonly crashed: { pid: number | undefined; code: number | null; signal: NodeJS.Signals | null; output: string }[] =
    [];

  private async kill(slot: number): Promise<void> {
    const p = this.slots[slot];
    if (!p) return;
    this.slots[slot] = null;
    this.kills.push({ at: Date.now(), slot, pid: p.child.pid });
    await p.kill();
    this.keepLog(p);
  }

  private async startSlot(slot: number): Promise<void> {
    const p = await startWorkerProcess(this.env, this.args, this.startTimeoutMs);
    this.slots[slot] = p;
    void p.exited.then(({ code, signal }) => {
      // Still in its slot when it exits: nobody here killed it.
      if (this.slots[slot] === p) {
        this.slots[slot] = null;
        this.crashed.push({ pid: p.child.pid, code, signal, output: p.output().slice(-4000) });
        this.keepLog(p);
      }
    });
  }

  /** What every process wrote, the ended ones' and the running ones' so far. */
  outputs(): string[] {
    return [...this.ended, ...this.slots.filter((p): p is WorkerProcess => p !== null).map((p) => p.output())];
  }

  private readonly ended: string[] = [];

  private keepLog(p: WorkerProcess): void {
    this.ended.push(p.output());
    mkdirSync(this.logDir, { recursive: true });
    appendFileSync(
      path.join(this.logDir, `${String(++this.logged).padStart(3, '0')}-workers-${p.child.pid}.log`),
      p.output(),
    );
  }
}

/**
 * Waits until `queue` has nothing waiting, running, delayed or prioritized. Fails only when
 * what is left stops shrinking for `stallMs` (retries wait on purpose, so a plain timeout
 * would be either too short or useless), and then says what is left; every 15 s it reports
 * where it stands, prefixed with `label`.
 */
export async function queueDrainedWhileProgressing(queue: Queue, stallMs: number, label: string): Promise<void> {
  let best = Infinity;
  let lastProgress = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
    const left = Object.values(counts).reduce((a, b) => a + b, 0);
    if (left === 0) return;
    if (Date.now() - lastReport > 15_000) {
      process.stdout.write(`${label}: draining ${queue.name}, ${left} jobs left ${JSON.stringify(counts)}\n`);
      lastReport = Date.now();
    }
    if (left < best) {
      best = left;
      lastProgress = Date.now();
    }
    if (Date.now() - lastProgress > stallMs)
      throw new Error(`queue ${queue.name} stopped draining: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Whether a request the receiver answered at `answeredAt` may have died with its worker:
 * a kill came soon after the answer (the worker had it, but not yet its record in the
 * log) or shortly before it (the receiver answered a sender already gone).
 */
export function nearAKill(kills: readonly Kill[], answeredAt: number, beforeMs: number, afterMs: number): boolean {
  return kills.some((k) => answeredAt <= k.at + afterMs && answeredAt >= k.at - beforeMs);
}

/**
 * How often each job was found stalled (its worker died or hung, and another worker took it
 * back), by job id, from the workers' logs (queue-worker.ts logs each one).
 */
export function stallsByJob(outputs: readonly string[]): Map<string, number> {
  const stalls = new Map<string, number>();
  for (const line of outputs.join('\n').split('\n')) {
    if (!line.includes('job stalled')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; jobId?: string };
      if (entry.msg?.startsWith('job stalled') && entry.jobId)
        stalls.set(entry.jobId, (stalls.get(entry.jobId) ?? 0) + 1);
    } catch {
      /* not a log line */
    }
  }
  return stalls;
}
