import type { BenchSettings } from './config';
import { runHttp, Tally, type HttpRequestSpec } from './load';
import type { ApiHandle } from './scenarios';
import { adminToken } from './stack';
import { cpuMsOf, log, round } from './util';

/** What one kind of body cost the API: answers per second, latency, and its CPU per answer. */
export interface BodySide {
  answersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The API process's own CPU time (user + system) over its segments ÷ answers. */
  cpuMsPerAnswer: number;
  /** What one request alone was answered with (400 for both). */
  probeStatus: number;
}

export interface BodyDepthResult {
  bytes: number;
  depth: number;
  flat: BodySide;
  deep: BodySide;
  /** deep ÷ flat answers per second, and deep ÷ flat CPU per answer: both should be near 1. */
  throughputRatio: number;
  cpuRatio: number;
}

export const BODY_DEPTH = 16_000;

/**
 * A body nested 16,000 levels deep against a flat body of the same size, both posted as
 * an order: the API refuses the first before parsing it and reads the second through
 * validation. Segments interleave (flat, deep, deep, flat, …) so drift hits both alike.
 */
export async function measureBodyDepth(api: ApiHandle, cfg: BenchSettings): Promise<BodyDepthResult> {
  const deep = '['.repeat(BODY_DEPTH) + ']'.repeat(BODY_DEPTH);
  const prefix = '{"notes":"';
  const flat = prefix + 'x'.repeat(deep.length - prefix.length - 2) + '"}';
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminToken()}` };
  const spec = (body: string): HttpRequestSpec => ({
    method: 'POST',
    next: () => ({ path: '/api/orders', headers, body }),
  });
  const side0 = (body: string) => ({ spec: spec(body), tally: new Tally(), cpuMs: 0, probeStatus: 0 });
  const sides = { flat: side0(flat), deep: side0(deep) };

  for (const s of Object.values(sides)) {
    const probe = await fetch(api.url + '/api/orders', { method: 'POST', headers, body: s.spec.next().body });
    s.probeStatus = probe.status;
    await runHttp(api.url, s.spec, cfg.connections, { seconds: cfg.warmupSeconds });
  }
  const segment = { seconds: cfg.seconds / cfg.rounds };
  for (let r = 0; r < cfg.rounds; r++) {
    for (const name of r % 2 === 0 ? (['flat', 'deep'] as const) : (['deep', 'flat'] as const)) {
      const s = sides[name];
      const before = cpuMsOf(api.pid);
      await runHttp(api.url, s.spec, cfg.connections, segment, s.tally);
      s.cpuMs += cpuMsOf(api.pid) - before;
    }
  }
  const side = (s: (typeof sides)['flat']): BodySide => {
    const m = s.tally.result();
    const answers = m.ok + m.non2xx;
    return {
      answersPerSec: round(answers / m.seconds, 1),
      p50Ms: m.p50Ms,
      p99Ms: m.p99Ms,
      cpuMsPerAnswer: round(s.cpuMs / Math.max(1, answers), 3),
      probeStatus: s.probeStatus,
    };
  };
  const result = { bytes: deep.length, depth: BODY_DEPTH, flat: side(sides.flat), deep: side(sides.deep) };
  const out: BodyDepthResult = {
    ...result,
    throughputRatio: round(result.deep.answersPerSec / result.flat.answersPerSec, 3),
    cpuRatio: round(result.deep.cpuMsPerAnswer / result.flat.cpuMsPerAnswer, 3),
  };
  log(
    `body depth ${BODY_DEPTH} vs flat, ${out.bytes} bytes: deep ${out.deep.answersPerSec}/s ${out.deep.cpuMsPerAnswer} ms CPU | flat ${out.flat.answersPerSec}/s ${out.flat.cpuMsPerAnswer} ms CPU | ratios ${out.throughputRatio} / ${out.cpuRatio}`,
  );
  return out;
}
