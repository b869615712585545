import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR, ROOT, TARGETS, type BenchSettings } from './config';
import type { QueryDiagnosis } from './diagnose';
import type { BodyDepthResult } from './body-depth';
import { capacityMarkdown, type CapacityResult } from './capacity';
import type { EmailsResult } from './emails';
import { exportsMarkdown, type ExportResult } from './exports';
import type { ScenarioName, ScenarioResult } from './scenarios';
import { round } from './util';

export interface Target {
  target: string;
  value: number | null;
  comparison: '≥' | '≤' | '<' | '=';
  threshold: number;
  /** null: could not be judged (route missing, scenario failed). */
  pass: boolean | null;
  note?: string;
}

export interface BenchReport {
  version: 1;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  settings: BenchSettings;
  environment: Record<string, string | number | boolean>;
  scenarios: ScenarioResult[];
  emails: EmailsResult[];
  /** Every order exported to CSV at each size (issue 15); absent in runs before it. */
  exports?: ExportResult[];
  /** A body nested 16,000 levels deep against a flat one of the same size (issue 10). */
  bodyDepth?: BodyDepthResult;
  /** One API process against two (create-order), one worker process against two (the pipeline): issue 13. */
  capacity?: CapacityResult;
  diagnostics: QueryDiagnosis[];
  memory: { apiPeakRssMb: number; workersPeakRssMb: number };
  targets: Target[];
  summary: { passed: number; missed: number; notJudged: number };
  error?: string;
}

const judge = (
  target: string,
  value: number | null,
  comparison: Target['comparison'],
  threshold: number,
  note?: string,
): Target => {
  let pass: boolean | null = null;
  if (value !== null && Number.isFinite(value)) {
    pass =
      comparison === '≥'
        ? value >= threshold
        : comparison === '≤'
          ? value <= threshold
          : comparison === '<'
            ? value < threshold
            : value === threshold;
  }
  return { target, value: value === null ? null : round(value, 3), comparison, threshold, pass, ...(note && { note }) };
};

/** Every target of the issue, judged on the results. */
export function evaluate(
  r: Pick<BenchReport, 'scenarios' | 'emails' | 'exports' | 'memory' | 'settings' | 'capacity'>,
): Target[] {
  const t: Target[] = [];
  const sizes = [...new Set(r.scenarios.filter((s) => s.kind === 'read' && !s.indexes).map((s) => s.orders))].sort(
    (a, b) => a - b,
  );
  const small = sizes[0] ?? r.settings.smallOrders;
  const large = sizes[sizes.length - 1] ?? r.settings.largeOrders;
  // The GIN pass runs after the large size's creates, so it sees a few more orders.
  const find = (name: ScenarioName, orders: number, indexes?: 'gin') =>
    r.scenarios.find(
      (s) => s.name === name && s.indexes === indexes && (indexes ? s.orders >= orders : s.orders === orders),
    );
  const why = (s: ScenarioResult | undefined) => (!s ? 'not measured' : s.status !== 'ok' ? s.status : undefined);

  for (const s of r.scenarios) {
    const limit = s.kind === 'create' ? TARGETS.createVsFloor : TARGETS.readVsFloor;
    const name = `${labelOf(s)} ≥ ${limit} × floor`;
    if (s.status === 'ok') {
      t.push(judge(name, s.ratio ?? null, '≥', limit));
      // The issue's floor for create is "the same database writes": the bare floor leaves
      // out the two FerretDB workarounds (id claim, order lock), the shaped one makes them.
      if (s.ratioToApiShaped !== undefined)
        t.push(
          judge(
            `${labelOf(s)} ≥ ${limit} × floor making the same writes`,
            s.ratioToApiShaped,
            '≥',
            limit,
            'raw driver with the id claim and the order lock around clearing the outbox',
          ),
        );
    } else if (s.status === 'too slow' && s.probeMs?.floor) {
      // The floor answered within the cap and the API did not: the ratio is below floor/cap.
      const bound = s.probeMs.floor / r.settings.requestCapMs;
      t.push({
        ...judge(name, bound, '≥', limit, `too slow: ${s.note ?? ''}; value is an upper bound (floor alone ÷ cap)`),
        pass: bound < limit ? false : null,
      });
    } else {
      t.push(judge(name, null, '≥', limit, `${s.status}: ${s.note ?? ''}`));
    }
  }
  const growth = (name: ScenarioName, limit: number, indexes?: 'gin') => {
    const a = find(name, small);
    const b = find(name, large, indexes);
    if (indexes && !b) return;
    const at = `${b?.orders ?? large}${indexes ? '+GIN' : ''}`;
    const ok = small !== large && a?.status === 'ok' && b?.status === 'ok' && a.api && b.api && a.api.p99Ms > 0;
    if (small !== large && a?.status === 'ok' && a.api && b?.status === 'too slow') {
      // No answer within the cap at the large size: the growth is at least cap ÷ p99 at the small one.
      const bound = r.settings.requestCapMs / Math.max(1, a.api.p99Ms);
      t.push({
        ...judge(
          `${name} p99 @${at} ≤ ${limit} × p99 @${small}`,
          bound,
          '≤',
          limit,
          `no answer within ${r.settings.requestCapMs} ms @${at} vs p99 ${a.api.p99Ms} ms @${small}; value is a lower bound`,
        ),
        pass: bound > limit ? false : null,
      });
      return;
    }
    const note = ok
      ? `p99 ${b.api?.p99Ms} ms @${at} vs ${a.api?.p99Ms} ms @${small}; req/s ${b.api?.opsPerSec} vs ${a.api?.opsPerSec}`
      : small === large
        ? 'only one size measured'
        : (why(a) ?? why(b));
    t.push(
      judge(
        `${name} p99 @${at} ≤ ${limit} × p99 @${small}`,
        ok ? (b.api?.p99Ms ?? 0) / (a.api?.p99Ms ?? 1) : null,
        '≤',
        limit,
        note,
      ),
    );
  };
  growth('my-orders', TARGETS.myOrdersP99Growth);
  growth('my-orders', TARGETS.myOrdersP99Growth, 'gin');
  growth('analytics', TARGETS.analyticsGrowth);
  for (const e of r.emails) {
    t.push(
      judge(
        `emails @${e.orders}${e.indexes === 'gin' ? '+GIN' : ''} ≥ ${TARGETS.emailsVsSlowerFloor} × slower floor`,
        e.status === 'ok' ? (e.ratio ?? null) : null,
        '≥',
        TARGETS.emailsVsSlowerFloor,
        e.status === 'ok' ? `slower floor: ${e.slowerFloor}` : e.note,
      ),
    );
  }
  // Issue 16, judged where the service's own cost shows (the GIN pass): stricter than the above.
  const myGin = r.scenarios.find((s) => s.name === 'my-orders' && s.indexes === 'gin');
  if (myGin)
    t.push(
      judge(
        `my-orders @${myGin.orders}+GIN ≥ ${TARGETS.myOrdersVsFloorIndexed} × floor (issue 16)`,
        myGin.status === 'ok' ? (myGin.ratio ?? null) : null,
        '≥',
        TARGETS.myOrdersVsFloorIndexed,
      ),
    );
  for (const e of r.emails.filter((x) => x.indexes === 'gin')) {
    t.push(
      judge(
        `emails @${e.orders}+GIN ≥ ${TARGETS.emailsVsSlowerFloorIndexed} × slower floor (issue 16)`,
        e.status === 'ok' ? (e.ratio ?? null) : null,
        '≥',
        TARGETS.emailsVsSlowerFloorIndexed,
        e.status === 'ok' ? `slower floor: ${e.slowerFloor}` : e.note,
      ),
    );
  }
  // Constant memory: the exports worker's peak is that of a small export, whatever the count.
  const exported = (r.exports ?? [])
    .filter((e) => e.status === 'ok' && e.heapCapMb !== null)
    .sort((a, b) => a.orders - b.orders);
  const [fewest, most] = [exported[0], exported[exported.length - 1]];
  if (r.exports?.length) {
    const growth =
      fewest && most && most.orders > fewest.orders
        ? (most.workerPeakRssMb ?? 0) / (fewest.workerPeakRssMb || 1)
        : null;
    t.push(
      judge(
        `export worker peak RSS (heap capped at ${most?.heapCapMb ?? '?'} MB) @${most?.orders ?? '?'} ≤ ${TARGETS.exportRssGrowth} × @${fewest?.orders ?? '?'}`,
        growth,
        '≤',
        TARGETS.exportRssGrowth,
        growth === null
          ? 'not measured at two sizes'
          : `${most?.workerPeakRssMb} MB for ${most?.rows} rows vs ${fewest?.workerPeakRssMb} MB for ${fewest?.rows}; ${most?.rowsPerSec} rows/s`,
      ),
    );
  }
  t.push(
    judge(
      `API peak RSS < ${TARGETS.apiRssMb} MB`,
      r.memory.apiPeakRssMb || null,
      '<',
      TARGETS.apiRssMb,
      'VmHWM of the API process at the end of the run',
    ),
  );
  const cap = r.capacity;
  const capacityApiErrors = cap?.create
    ? [cap.create.one, cap.create.two].reduce((a, s) => a + s.non2xx + s.errors, 0)
    : 0;
  const apiErrors = r.scenarios.reduce((a, s) => a + (s.api ? s.api.non2xx + s.api.errors : 0), 0) + capacityApiErrors;
  const floorErrors = r.scenarios.reduce((a, s) => a + (s.floor?.errors ?? 0), 0);
  const jobErrors =
    r.emails.reduce(
      (a, e) => a + (e.worker?.failed ?? 0) + (e.noopFloor?.failed ?? 0) + (e.mailFloor?.failed ?? 0),
      0,
    ) +
    (cap?.pipeline ? cap.pipeline.one.failed + cap.pipeline.two.failed : 0) +
    (r.exports ?? []).filter((e) => e.status !== 'ok').length;
  const measured =
    r.scenarios.some((s) => s.api) || r.emails.some((e) => e.worker) || cap?.status === 'ok' || exported.length > 0;
  t.push(
    judge(
      'zero errors',
      measured ? apiErrors + floorErrors + jobErrors : null,
      '=',
      0,
      `API non-2xx + socket errors ${apiErrors}, floor errors ${floorErrors}, failed jobs/sends ${jobErrors}`,
    ),
  );
  return t;
}

/** `my-orders @100000`, with `+GIN` for the pass with GIN indexes. */
const labelOf = (s: ScenarioResult): string => `${s.name} @${s.orders}${s.indexes === 'gin' ? '+GIN' : ''}`;

const cell = (v: number | string | boolean | null | undefined): string =>
  v === null || v === undefined ? '–' : String(v);
const verdict = (p: boolean | null): string => (p === null ? 'n/a' : p ? 'pass' : '**MISS**');

/** The generated part of bench/README.md. */
export function markdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(
    `Run ${r.startedAt} (${r.settings.quick ? 'BENCH_QUICK' : 'full'}, ${r.seconds} s): ${r.settings.connections} connections, ${r.settings.seconds} s per side in ${r.settings.rounds} interleaved round(s) after ${r.settings.warmupSeconds} s warm-up; ${r.environment.cpus} CPUs shared with other work (1-minute load average ${r.environment.loadAverageAtStart} at the start, ${r.environment.loadAverageAtEnd ?? '?'} at the end), node ${r.environment.node}, ${r.environment.database}. Targets: **${r.summary.passed} passed, ${r.summary.missed} missed, ${r.summary.notJudged} not judged**.`,
  );
  lines.push('');
  lines.push(
    '| scenario | orders | API req/s | API p50 ms | API p99 ms | API errors | API RSS MB | API CPU ms/req | floor ops/s | floor p50 ms | floor p99 ms | floor CPU ms/op | ratio | target | result |',
  );
  lines.push(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const s of r.scenarios) {
    const target = s.kind === 'create' ? TARGETS.createVsFloor : TARGETS.readVsFloor;
    const pass = s.status === 'ok' && s.ratio !== undefined ? s.ratio >= target : null;
    const a = s.api;
    const f = s.floor;
    lines.push(
      `| ${s.name}${s.indexes === 'gin' ? ' +GIN' : ''}${s.status !== 'ok' ? ` (${s.status})` : ''} | ${s.orders} | ${cell(a?.opsPerSec)} | ${cell(a?.p50Ms)} | ${cell(a?.p99Ms)} | ${a ? a.non2xx + a.errors : '–'} | ${cell(a?.peakRssMb)} | ${cell(s.apiCpuMsPerRequest)} | ${cell(f?.opsPerSec)} | ${cell(f?.p50Ms)} | ${cell(f?.p99Ms)} | ${cell(s.floorCpuMsPerOp)} | ${cell(s.ratio)} | ≥ ${target} | ${verdict(pass)} |`,
    );
  }
  lines.push('');
  for (const s of r.scenarios.filter((x) => x.status !== 'ok'))
    lines.push(`- ${labelOf(s)}: ${s.status}: ${s.note ?? ''}`);
  for (const s of r.scenarios.filter((x) => x.status === 'ok' && x.mode === 'count')) {
    lines.push(
      `- ${labelOf(s)}: one request alone took ${s.probeMs?.api} ms (floor ${s.probeMs?.floor} ms), so it ran a fixed count of requests per side with ${s.connections} connections.`,
    );
  }
  for (const s of r.scenarios.filter((x) => x.apiDbCommands)) {
    lines.push('');
    lines.push(
      `${s.name} @${s.orders}, the API's database commands per request (BENCH_TRACE): ${Object.entries(
        s.apiDbCommands ?? {},
      )
        .map(([k, v]) => `${k} ${v.perRequest} × ${v.meanMs} ms`)
        .join(', ')}.`,
    );
  }
  for (const s of r.scenarios.filter((x) => x.apiShaped)) {
    lines.push('');
    lines.push(
      `${s.name} @${s.orders}: the raw driver making every round trip the service makes (id claim, order lock around clearing the outbox) does ${s.apiShaped?.opsPerSec} ops/s (p50 ${s.apiShaped?.p50Ms} ms, p99 ${s.apiShaped?.p99Ms} ms); the API is ${s.ratioToApiShaped} × that, the floor is ${s.floor && s.apiShaped && s.apiShaped.opsPerSec > 0 ? round(s.floor.opsPerSec / s.apiShaped.opsPerSec, 2) : '–'} × that.`,
    );
  }
  for (const s of r.scenarios.filter((x) => x.bare)) {
    lines.push('');
    lines.push(
      `${labelOf(s)}: the bare API (bench/bare-api.ts: node:http, the token checked, the floor's queries, JSON; no framework, validation, rate limit, logging, metrics or headers) does ${s.bare?.opsPerSec} req/s (p50 ${s.bare?.p50Ms} ms) at ${s.bareCpuMsPerRequest} ms CPU per request: the API's ${s.apiCpuMsPerRequest} ms is ${s.bareCpuMsPerRequest ? round((s.apiCpuMsPerRequest ?? 0) / s.bareCpuMsPerRequest, 2) : '–'} × that, and its req/s ${s.bare && s.bare.opsPerSec > 0 && s.api ? round(s.api.opsPerSec / s.bare.opsPerSec, 3) : '–'} × the bare API's.`,
    );
  }
  lines.push('');
  lines.push(
    '| emails | worker jobs/s | job p50 / p99 ms | failed | worker CPU ms/job | no-op worker jobs/s | no-op CPU ms/job | nodemailer pool msgs/s | pool CPU ms/msg | unpooled msgs/s (info) | slower floor | ratio | target | result |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |');
  for (const e of r.emails) {
    const pass = e.status === 'ok' && e.ratio !== undefined ? e.ratio >= TARGETS.emailsVsSlowerFloor : null;
    lines.push(
      `| @${e.orders} orders${e.indexes === 'gin' ? ' +GIN' : ''}${e.status !== 'ok' ? ' (failed)' : ''}${e.worker?.capped ? ' (capped)' : ''} | ${cell(e.worker?.perSec)} | ${e.worker ? `${e.worker.p50Ms} / ${e.worker.p99Ms}` : '–'} | ${cell(e.worker?.failed)} | ${cell(e.cpuMs?.workerPerJob)} | ${cell(e.noopFloor?.perSec)} | ${cell(e.cpuMs?.noopPerJob)} | ${cell(e.mailFloor?.perSec)} | ${cell(e.cpuMs?.mailPerMessage)} | ${cell(e.mailUnpooled?.perSec)} | ${cell(e.slowerFloor)} | ${cell(e.ratio)} | ≥ ${TARGETS.emailsVsSlowerFloor} | ${verdict(pass)} |`,
    );
  }
  lines.push('');
  if (r.exports?.length) {
    lines.push(...exportsMarkdown(r.exports));
    lines.push('');
  }
  const d = r.bodyDepth;
  if (d) {
    lines.push(
      `A body nested ${d.depth} levels deep against a flat body of the same ${d.bytes} bytes, both posted as an order (each answered ${d.deep.probeStatus} / ${d.flat.probeStatus}): deep ${d.deep.answersPerSec} answers/s (p50 ${d.deep.p50Ms} ms, p99 ${d.deep.p99Ms} ms, ${d.deep.cpuMsPerAnswer} ms of API CPU each), flat ${d.flat.answersPerSec}/s (p50 ${d.flat.p50Ms} ms, p99 ${d.flat.p99Ms} ms, ${d.flat.cpuMsPerAnswer} ms CPU each): deep ÷ flat ${d.throughputRatio} in throughput, ${d.cpuRatio} in CPU per answer.`,
    );
    lines.push('');
  }
  lines.push(
    `Peak RSS (VmHWM): API ${r.memory.apiPeakRssMb} MB, emails worker ${r.memory.workersPeakRssMb} MB. The API's own figures right after each scenario (RSS / V8 heap used / heap total / external, MB): ${r.scenarios
      .filter((s) => s.apiMemory)
      .map(
        (s) =>
          `${labelOf(s)} ${s.apiMemory?.rssMb} / ${s.apiMemory?.heapUsedMb} / ${s.apiMemory?.heapTotalMb} / ${s.apiMemory?.externalMb}`,
      )
      .join('; ')}.`,
  );
  lines.push('');
  lines.push('| target | value | threshold | result | note |');
  lines.push('| --- | ---: | ---: | --- | --- |');
  for (const t of r.targets)
    lines.push(
      `| ${t.target} | ${cell(t.value)} | ${t.comparison} ${t.threshold} | ${verdict(t.pass)} | ${t.note ?? ''} |`,
    );
  lines.push('');
  lines.push('What FerretDB does with each query (explain), and its time alone through the raw driver:');
  lines.push('');
  lines.push('| query | orders | filter pushdown | sort pushdown | PostgreSQL plan | alone ms |');
  lines.push('| --- | ---: | --- | --- | --- | ---: |');
  for (const d of r.diagnostics)
    lines.push(
      `| ${d.query} | ${d.orders} | ${cell(d.filterPushdown)} | ${cell(d.sortPushdown)} | ${d.pgPlan} | ${d.serialMs ?? 'over the cap (5000)'} |`,
    );
  return lines.join('\n');
}

const START = '<!-- bench:results:start (generated by bench/report.ts from results/latest.json; do not edit) -->';
const END = '<!-- bench:results:end -->';
const CAPACITY_START =
  '<!-- bench:capacity:start (generated by bench/report.ts from the latest run that measured capacity; do not edit) -->';
const CAPACITY_END = '<!-- bench:capacity:end -->';
const README = path.join(ROOT, 'bench', 'README.md');

/** Replaces the block between `start` and `end` in bench/README.md (appended under `heading` if missing). */
export function replaceBlock(start: string, end: string, body: string, heading: string): void {
  const text = existsSync(README) ? readFileSync(README, 'utf8') : '# Benchmarks\n';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  const block = `${start}\n${body}\n${end}`;
  const next =
    a >= 0 && b > a
      ? text.slice(0, a) + block + text.slice(b + end.length)
      : `${text.trimEnd()}\n\n## ${heading}\n\n${block}\n`;
  writeFileSync(README, next);
}

/** The capacity table of a run, with the run's date, mode and load. */
const capacityBlock = (r: BenchReport & { capacity: CapacityResult }): string =>
  capacityMarkdown(
    r.capacity,
    r.startedAt,
    r.settings.quick,
    `${r.environment.loadAverageAtStart} at the start, ${r.environment.loadAverageAtEnd ?? '?'} at the end`,
  );

/** Rewrites the capacity block of bench/README.md from a run that measured it. */
export function updateCapacityBlock(r: BenchReport): void {
  if (r.capacity) replaceBlock(CAPACITY_START, CAPACITY_END, capacityBlock({ ...r, capacity: r.capacity }), 'Capacity');
}

/** Rewrites the generated blocks of bench/README.md, keeping the hand-written text around them. */
export function updateReadme(r: BenchReport): void {
  replaceBlock(START, END, markdown(r), 'Latest results');
  updateCapacityBlock(r);
}

/** bench/results/<timestamp>.json and latest.json; a partial run (BENCH_ONLY=<case>) <case>-latest.json instead. */
export function writeResults(r: BenchReport): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(
    RESULTS_DIR,
    `${r.startedAt.replace(/[:.]/g, '-')}${r.settings.only ? `-${r.settings.only}` : ''}.json`,
  );
  const body = `${JSON.stringify(r, null, 2)}\n`;
  writeFileSync(file, body);
  writeFileSync(path.join(RESULTS_DIR, r.settings.only ? `${r.settings.only}-latest.json` : 'latest.json'), body);
  return file;
}

// `tsx bench/report.ts`: regenerate the README block from results/latest.json.
if (require.main === module) {
  const latest = JSON.parse(readFileSync(path.join(RESULTS_DIR, 'latest.json'), 'utf8')) as BenchReport;
  // Judged again, so a fix to the judging applies to results already measured.
  latest.targets = evaluate(latest);
  latest.summary = {
    passed: latest.targets.filter((t) => t.pass === true).length,
    missed: latest.targets.filter((t) => t.pass === false).length,
    notJudged: latest.targets.filter((t) => t.pass === null).length,
  };
  writeResults(latest);
  updateReadme(latest);
  process.stdout.write(`${markdown(latest)}\n`);
  // The capacity block from whichever run measured it last: a full run or BENCH_ONLY=capacity.
  const capacityFile = path.join(RESULTS_DIR, 'capacity-latest.json');
  const alone = existsSync(capacityFile) ? (JSON.parse(readFileSync(capacityFile, 'utf8')) as BenchReport) : null;
  const newest = [latest, alone]
    .filter((x): x is BenchReport => x?.capacity !== undefined)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  if (newest) {
    updateCapacityBlock(newest);
    if (newest.capacity) process.stdout.write(`\n${capacityBlock({ ...newest, capacity: newest.capacity })}\n`);
  }
}
