import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { WORK_QUEUE_NAMES } from '../src/shared/names';

/**
 * The files we ship, read as an operator's tools read them (not through src/config.ts): each
 * way of starting ORMS must leave no queue of the queue list without a worker. A queue
 * nobody works never fails; its jobs just wait for ever (issue 23: `.env.example` pinned four
 * of eight queues, so the README's stack never ran webhooks, bulk changes, exports or upkeep).
 */
const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const ALL: readonly string[] = WORK_QUEUE_NAMES;

/** What a worker process works given WORKERS and its argv: argv names win; neither means all. */
function worked(workersSetting: string | undefined, argv: readonly string[] = []): string[] {
  const given = argv.flatMap((a) =>
    (a.startsWith('--workers=') ? a.slice('--workers='.length) : a.startsWith('-') ? '' : a).split(','),
  );
  const fromArgv = given.map((s) => s.trim()).filter(Boolean);
  if (fromArgv.length) return fromArgv;
  const setting = (workersSetting ?? '').trim();
  if (!setting) return [...ALL];
  const names: unknown = setting.startsWith('[') ? JSON.parse(setting) : setting.split(',');
  return Array.isArray(names) ? names.map((n) => String(n).trim()) : [];
}

const unworked = (processes: readonly string[][]): string[] => ALL.filter((q) => !processes.some((p) => p.includes(q)));

/** The value of KEY in a dotenv file, as Node's loader reads it (an inline `#` comment ends it). */
function dotenvValue(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  return line
    ?.slice(key.length + 1)
    .replace(/\s+#.*$/, '')
    .trim();
}

interface PmApp {
  name: string;
  script: string;
  args?: string | string[];
  env?: Record<string, string>;
}

/** `${VAR:-default}` as compose reads it with VAR unset (a fresh server). */
const composeDefault = (v: unknown): string | undefined =>
  v === undefined ? undefined : String(v).replace(/\$\{[A-Z_]+:?-([^}]*)\}/g, '$1');

describe('the shipped defaults work every queue', () => {
  it('a partial WORKERS list is caught (the check this file makes can fail)', () => {
    expect(unworked([worked('emails,customer-stats,analytics,refunds')])).toEqual([
      'webhooks',
      'bulk',
      'exports',
      'upkeep',
    ]);
    expect(unworked([worked(undefined, ['emails']), worked('["webhooks"]')])).toEqual(
      ALL.filter((q) => q !== 'emails' && q !== 'webhooks'),
    );
  });

  it('.env.example (copied to .env by scripts/start.sh) names no partial list', () => {
    expect(unworked([worked(dotenvValue(read('.env.example'), 'WORKERS'))])).toEqual([]);
  });

  it('ecosystem.config.js (pm2) runs every queue, with .env from .env.example', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { apps } = require(path.join(ROOT, 'ecosystem.config.js')) as { apps: PmApp[] };
    const fromDotenv = dotenvValue(read('.env.example'), 'WORKERS');
    const workerApps = apps.filter((a) => a.script.endsWith(path.join('workers', 'main.js')));

    expect(workerApps.length).toBeGreaterThan(0);
    const argv = (a: PmApp) => (Array.isArray(a.args) ? a.args : (a.args ?? '').split(/\s+/).filter(Boolean));
    expect(unworked(workerApps.map((a) => worked(a.env?.WORKERS ?? fromDotenv, argv(a))))).toEqual([]);
  });

  it('docker-compose.yml runs every queue across its worker services', () => {
    const { services } = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, { command?: string[]; environment?: Record<string, unknown> }>;
    };
    const workerServices = Object.values(services).filter((s) =>
      (s.command ?? []).some((c) => c === 'orms-workers' || c.endsWith('workers/main.js')),
    );

    expect(workerServices.length).toBeGreaterThan(0);
    const argvOf = (command: string[]) => {
      const main = command.findIndex((c) => c.endsWith('workers/main.js'));
      return main < 0 ? [] : command.slice(main + 1);
    };
    expect(
      unworked(workerServices.map((s) => worked(composeDefault(s.environment?.WORKERS), argvOf(s.command ?? [])))),
    ).toEqual([]);
  });

  it('the Dockerfile sets no WORKERS and starts the workers with no names', () => {
    const dockerfile = read('Dockerfile');
    const env = /^ENV\s+.*\bWORKERS[= ]\s*"?([^"\n]*)/m.exec(dockerfile)?.[1];
    const cmd = dockerfile
      .split('\n')
      .filter((l) => /^(CMD|ENTRYPOINT)\b/.test(l))
      .join(' ');

    expect(unworked([worked(env)])).toEqual([]);
    expect(cmd).not.toMatch(/workers\/main\.js"?,?\s*"?[a-z]/);
  });

  it('the docs show a subset only as an operator’s choice, next to the warning', () => {
    for (const file of ['README.md', 'docs/scaling.md', 'deploy/README.md']) {
      const text = read(file);
      // Every place that shows WORKERS=<names> or `main.js <names>` says another process must work the rest.
      const shows = [...text.matchAll(/(WORKERS[=:]\s*`?[a-z-]+|workers\/main\.js [a-z-]+)/g)];
      for (const m of shows) {
        const around = text.slice(Math.max(0, (m.index ?? 0) - 600), (m.index ?? 0) + 600);
        expect({
          file,
          shows: m[0],
          warned: /(another|other) process(es)? must work|waits? for ever|orms_queue_workers/.test(around),
        }).toEqual({ file, shows: m[0], warned: true });
      }
    }
  });
});
