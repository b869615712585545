import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { percentiles, round } from './util';

/** One side (API or floor) of a scenario, measured over one or more segments. */
export interface Measurement {
  /** Successful operations (2xx responses, or floor ops that did not throw). */
  ok: number;
  /** Non-2xx responses. */
  non2xx: number;
  /** Socket errors and timeouts (API), or thrown errors (floor). */
  errors: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The first few error answers, for the report. */
  errorSamples: string[];
}

/** What accumulates over the segments of one side before it becomes a Measurement. */
export class Tally {
  ok = 0;
  non2xx = 0;
  errors = 0;
  seconds = 0;
  readonly latencies: number[] = [];
  readonly errorSamples: string[] = [];

  sample(text: string): void {
    if (this.errorSamples.length < 3) this.errorSamples.push(text.slice(0, 300));
  }

  result(): Measurement {
    const [p50, p99, max] = percentiles(this.latencies, [50, 99, 100]);
    return {
      ok: this.ok,
      non2xx: this.non2xx,
      errors: this.errors,
      seconds: round(this.seconds, 2),
      opsPerSec: round(this.seconds > 0 ? this.ok / this.seconds : 0, 2),
      p50Ms: round(p50, 2),
      p99Ms: round(p99, 2),
      maxMs: round(max, 2),
      errorSamples: this.errorSamples,
    };
  }
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  /** Called for every request: the path (with query) and headers to send. */
  next(): { path: string; headers: Record<string, string>; body?: string };
}

/** How long a side runs: for a time (in-flight work at the end is cut off), or for a number of operations (all complete). */
export type Span = { seconds: number } | { amount: number };

/**
 * Runs autocannon against `baseUrl` with `connections` for `span`, adding to `tally` the
 * latency of every response (2xx or not) as autocannon's clients measure it.
 */
export async function runHttp(
  baseUrl: string,
  spec: HttpRequestSpec,
  connections: number,
  span: Span,
  tally?: Tally,
): Promise<void> {
  const t = tally ?? new Tally();
  const first = spec.next();
  const options: autocannon.Options = {
    url: baseUrl + first.path,
    connections,
    ...('amount' in span ? { amount: span.amount } : { duration: span.seconds }),
    timeout: 120,
    method: spec.method,
    headers: first.headers,
    requests: [
      {
        method: spec.method,
        setupRequest: (req) => {
          const n = spec.next();
          return { ...req, method: spec.method, path: n.path, headers: n.headers, body: n.body };
        },
        onResponse: (status, body) => {
          if (status < 200 || status > 299) t.sample(`${status} ${body}`);
        },
      },
    ],
  };
  // autocannon reports its duration at its next whole-second tick, which for a fixed
  // count of requests can be most of a second after the last answer: time it here.
  const start = performance.now();
  let last = start;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err: unknown, res: autocannon.Result) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      last = performance.now();
      t.latencies.push(responseTime);
      if (statusCode >= 200 && statusCode < 300) t.ok++;
      else t.non2xx++;
    });
  });
  t.errors += result.errors + result.timeouts;
  t.seconds += ('amount' in span ? last - start : Math.max(last - start, span.seconds * 1000)) / 1000;
}

/** `concurrency` loops calling `op` until `span` is used up; in-flight ops always complete. */
export async function runLoop(op: () => Promise<void>, concurrency: number, span: Span, tally?: Tally): Promise<void> {
  const t = tally ?? new Tally();
  const start = performance.now();
  const deadline = 'seconds' in span ? start + span.seconds * 1000 : Infinity;
  let left = 'amount' in span ? span.amount : Infinity;
  const worker = async () => {
    while (performance.now() < deadline && left-- > 0) {
      const t0 = performance.now();
      try {
        await op();
        t.ok++;
      } catch (err) {
        t.errors++;
        t.sample(String(err));
      }
      t.latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  t.seconds += (performance.now() - start) / 1000;
}
