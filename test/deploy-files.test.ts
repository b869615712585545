import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parse } from 'yaml';
import { GENERATED_SECRETS } from './helpers/production-secrets';

const ROOT = path.join(__dirname, '..');
const SECRETS = { ...GENERATED_SECRETS };

/**
 * `docker-compose config` interpolates the file as `docker compose up` would, without a
 * Docker engine (Debian's docker-compose; CI installs it from .ci/apt-packages). A local
 * .env is kept out of it, as if the stack were started on a fresh server.
 */
const noEnvFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'orms-compose-')), 'empty.env');
writeFileSync(noEnvFile, '');

function composeConfig(env: Record<string, string>) {
  const run = spawnSync('docker-compose', ['--env-file', noEnvFile, '-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  if (run.error)
    throw new Error(`docker-compose is needed for this test (apt-get install docker-compose): ${run.error.message}`);
  return run;
}

describe('docker-compose.yml', () => {
  it.each(Object.keys(SECRETS))('stops with a message naming %s when it is not in the environment', (key) => {
    const env: Record<string, string> = { ...SECRETS };
    delete env[key];

    const run = composeConfig(env);

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`set ${key}`);
    expect(run.stderr).toContain('openssl rand -hex 32');
  });

  it('runs the API and the workers in production with the secrets from the environment, not from .env', () => {
    const run = composeConfig(SECRETS);

    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/env_file/);
    for (const value of Object.values(SECRETS)) expect(run.stdout.split(value).length - 1).toBe(2); // api and workers
    expect(run.stdout.match(/ENVIRONMENT: production/g)).toHaveLength(2);
  });
});

interface ComposeService {
  image?: string;
  command?: string[];
  container_name?: string;
  ports?: (string | { published?: number | string; target: number })[];
  expose?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** The file as `docker compose up` would run it (interpolated, anchors and merges resolved). */
function rendered(): Record<string, ComposeService> {
  const run = composeConfig(SECRETS);
  if (run.status !== 0) throw new Error(`docker-compose config failed: ${run.stderr}`);
  return (parse(run.stdout) as { services: Record<string, ComposeService> }).services;
}

/** The host ports a service publishes (short "8025:8025" or long syntax). */
const published = (s: ComposeService): string[] =>
  (s.ports ?? []).map((p) => (typeof p === 'string' ? p.split(':')[0] : String(p.published)));

describe('docker-compose.yml for scaling out (docs/scaling.md)', () => {
  let services: Record<string, ComposeService> = {};
  let mongo: ComposeService,
    redis: ComposeService,
    api: ComposeService,
    workers: ComposeService,
    proxy: ComposeService,
    mailpit: ComposeService;
  beforeAll(() => {
    services = rendered();
    ({ mongo, redis, api, workers, proxy, mailpit } = services);
  });

  it('runs MongoDB as the single-node replica set rs0, which the compose file initiates itself', () => {
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    const check = mongo.healthcheck?.test.join(' ') ?? '';
    // Initiated once (only while rs.status() throws), and healthy only once it is primary.
    expect(check).toMatch(
      /try \{ rs\.status\(\) \} catch \(e\) \{ rs\.initiate\(\{ _id: 'rs0', members: \[\{ _id: 0, host: 'mongo:27017' \}\] \}\) \}/,
    );
    expect(check).toContain('isWritablePrimary');
    for (const s of [api, workers]) expect(s.depends_on?.mongo).toEqual({ condition: 'service_healthy' });
  });

  it('connects the API and the workers to that replica set with retryable, majority-acknowledged writes', () => {
    for (const s of [api, workers]) {
      const uri = new URL(s.environment?.MONGODB_URI ?? '');
      expect(uri.host).toBe('mongo:27017');
      expect(Object.fromEntries(uri.searchParams)).toEqual({ replicaSet: 'rs0', retryWrites: 'true', w: 'majority' });
    }
  });

  it('keeps Redis on an append-only file synced every second, and never evicts a key', () => {
    const args = (redis.command ?? []).join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--appendfsync everysec');
    expect(args).toContain('--maxmemory-policy noeviction');
  });

  it('lets the API and the workers scale with --scale: no container names, no host ports of their own', () => {
    for (const s of [api, workers]) {
      expect(s.container_name).toBeUndefined();
      expect(published(s)).toEqual([]);
    }
    expect(api.expose).toEqual(['8002']);
    // One process per container: replicas, not pm2's cluster, add API processes.
    expect(api.environment?.API_INSTANCES).toBe('1');
    expect(api.command).toEqual(expect.arrayContaining(['--only', 'orms-api']));
    expect(workers.command).toEqual(expect.arrayContaining(['--only', 'orms-workers']));
  });

  it('puts a proxy in front that finds every api replica through Docker DNS, and trusts it as one hop', () => {
    const config = (proxy.command ?? []).join('\n');
    expect(config).toContain('resolver 127.0.0.11');
    expect(config).toMatch(/http:\/\/api:8002/);
    expect(published(proxy)).toEqual(['8002']);
    expect(proxy.depends_on?.api).toEqual({ condition: 'service_healthy' });
    expect(api.environment?.TRUST_PROXY).toBe('1');
    // Only the proxy and Mailpit's web UI publish ports.
    expect(
      Object.keys(services)
        .filter((name) => published(services[name]).length)
        .sort(),
    ).toEqual(['mailpit', 'proxy']);
  });

  it('runs every queue, upkeep included, in each workers replica', () => {
    // WORKERS unset: all of them (src/workers/selection.ts); upkeep's schedulers make one tick per interval fleet-wide.
    expect(workers.environment).not.toHaveProperty('WORKERS');
    expect(workers.command?.slice(-2)).toEqual(['--only', 'orms-workers']);
  });

  it('sends the staging mail to Mailpit', () => {
    expect(mailpit.image).toMatch(/^axllent\/mailpit:/);
    for (const s of [api, workers]) expect(s.environment).toMatchObject({ EMAIL_HOST: 'mailpit', EMAIL_PORT: '1025' });
    expect(workers.depends_on?.mailpit).toBeDefined();
  });
});

/**
 * The monitoring files under deploy/ (deploy/README.md): Prometheus's scrape configuration
 * and alert rules, and the Grafana dashboard. Prometheus and Grafana are not run here;
 * the files are held to their shapes and to the metrics the code registers.
 */
const DEPLOY = path.join(ROOT, 'deploy');
const deployFile = (file: string): string => readFileSync(path.join(DEPLOY, file), 'utf8');

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const alertRules = (): AlertRule[] =>
  (parse(deployFile('prometheus/alerts.yml')) as { groups: { name: string; rules: AlertRule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  authorization?: { type?: string; credentials_file?: string };
}
const prometheusConfig = () =>
  parse(deployFile('prometheus/prometheus.yml')) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { type: string; name: string; query: string }[] };
  panels: DashboardPanel[];
}
const dashboard = (): Dashboard => JSON.parse(deployFile('grafana/orms-dashboard.json')) as Dashboard;
const dashboardQueries = (): string[] => dashboard().panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

/**
 * Every sample name the service can expose: the families src/ registers with prom-client
 * (histograms also as _bucket, _sum and _count) and Node's default ones, which every
 * process collects.
 */
async function exposedSampleNames(): Promise<Set<string>> {
  const families = new Map<string, string>();
  const sources = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  for (const file of sources) {
    const text = readFileSync(path.join(ROOT, 'src', file), 'utf8');
    for (const [, type, name] of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '(\w+)'/g))
      families.set(name, type.toLowerCase());
  }
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const m of await defaults.getMetricsAsJSON()) families.set(m.name, String(m.type));
  const suffixes: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };
  return new Set([...families].flatMap(([name, type]) => [name, ...(suffixes[type] ?? []).map((s) => name + s)]));
}

/** The service's metric names a PromQL expression reads (Prometheus's own `up` aside). */
const metricsIn = (expr: string): string[] => expr.match(/\b(?:orms|process|nodejs)_\w+/g) ?? [];
/** The scrape jobs an expression names with job="…" or job=~"a|b". */
const jobsIn = (expr: string): string[] =>
  [...expr.matchAll(/\bjob=~?"([^"]+)"/g)].flatMap(([, jobs]) => jobs.split('|'));

describe('deploy/prometheus/alerts.yml', () => {
  it('is a rule file whose every alert has an expression, a duration, a severity, a summary and a one-line runbook', () => {
    const rules = alertRules();

    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect({ alert: r.alert, expr: r.expr.trim().length > 0, for: r.for, severity: r.labels?.severity }).toEqual({
        alert: expect.stringMatching(/^Orms[A-Z]\w+$/),
        expr: true,
        for: expect.stringMatching(/^\d+[smhd]$/),
        severity: expect.stringMatching(/^(critical|warning|info)$/),
      });
      expect(r.annotations?.summary).toEqual(expect.stringMatching(/\S/));
      expect(r.annotations?.runbook).toEqual(expect.stringMatching(/^[^\n]{20,}$/));
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it('alerts on queue backlog age, queues nobody works, job failures, dead letters, API 5xx, readiness and targets that cannot be scraped', () => {
    const exprs = alertRules().map((r) => r.expr);
    const covered = (pattern: RegExp) => exprs.some((e) => pattern.test(e));

    expect({
      backlogAge: covered(/orms_queue_oldest_waiting_seconds/),
      unworkedQueue:
        covered(/orms_queue_workers\) == 0/) &&
        alertRules().some((r) => r.expr.includes('orms_queue_workers') && r.for === '5m'),
      jobFailures: covered(/orms_jobs_failed_total/) && covered(/orms_jobs_retried_total/),
      deadLetters: covered(/orms_dead_letters_total/),
      api5xx: covered(/orms_http_requests_total\{[^}]*status=~"5\.\."/),
      readiness: covered(/orms_dependency_up/),
      targetsDown: covered(/^up\{/),
    }).toEqual({
      backlogAge: true,
      unworkedQueue: true,
      jobFailures: true,
      deadLetters: true,
      api5xx: true,
      readiness: true,
      targetsDown: true,
    });
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  it('scrapes the API and the workers at /metrics with the metrics token, and loads the alert rules', () => {
    const config = prometheusConfig();

    expect(config.scrape_configs.map((s) => s.job_name).sort()).toEqual(['orms-api', 'orms-workers']);
    for (const s of config.scrape_configs)
      expect(s).toMatchObject({
        metrics_path: '/metrics',
        authorization: { type: 'Bearer', credentials_file: expect.any(String) },
      });
    expect(config.rule_files).toEqual(['alerts.yml']);
  });
});

describe('deploy/grafana/orms-dashboard.json', () => {
  it('is a Grafana dashboard whose every panel has its place on the grid and queries the chosen Prometheus', () => {
    const d = dashboard();

    expect(d).toMatchObject({ uid: expect.any(String), title: expect.any(String), schemaVersion: expect.any(Number) });
    expect(d.templating.list).toContainEqual(
      expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' }),
    );
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of d.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource?.uid).toBe('${datasource}');
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? [])
        expect(t).toMatchObject({
          refId: expect.stringMatching(/^[A-Z]$/),
          expr: expect.stringMatching(/\S/),
          datasource: { uid: '${datasource}' },
        });
    }
  });

  it('shows API rate, latency and 5xx by route, queue depth, worker job rate, duration, failures, retries and dead letters, and process memory', () => {
    const queries = dashboardQueries().join('\n');

    for (const shown of [
      /sum by \(route\) \(rate\(orms_http_requests_total/,
      /histogram_quantile\(0\.95, sum by \(le, route\) \(rate\(orms_http_request_duration_seconds_bucket/,
      /orms_http_requests_total\{[^}]*status=~"5\.\."/,
      /orms_queue_jobs/,
      /orms_jobs_completed_total/,
      /histogram_quantile\(0\.95, sum by \(le, queue\) \(rate\(orms_job_duration_seconds_bucket/,
      /orms_jobs_failed_total/,
      /orms_jobs_retried_total/,
      /orms_dead_letters_total/,
      /process_resident_memory_bytes/,
    ]) {
      expect(queries).toMatch(shown);
    }
  });
});

describe('the monitoring files and the code', () => {
  it.each([
    ['deploy/prometheus/alerts.yml', () => alertRules().map((r) => r.expr)],
    ['deploy/grafana/orms-dashboard.json', dashboardQueries],
  ])('%s reads only metrics the service exposes', async (_file, queries) => {
    const exposed = await exposedSampleNames();

    const used = queries().flatMap(metricsIn);

    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used)].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('names in the alerts and the dashboard only the scrape jobs prometheus.yml defines', () => {
    const jobs = prometheusConfig().scrape_configs.map((s) => s.job_name);
    const dashboardJobs = dashboard()
      .templating.list.filter((v) => v.type === 'textbox')
      .map((v) => v.query);

    const named = [...alertRules().flatMap((r) => jobsIn(r.expr)), ...dashboardJobs];

    expect(named.length).toBeGreaterThan(0);
    expect([...new Set(named)].filter((job) => !jobs.includes(job))).toEqual([]);
  });
});
