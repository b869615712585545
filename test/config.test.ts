import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { ConfigError, configSchema, parseConfig } from '../src/config';

const valid = { JWT_SECRET: 'x'.repeat(32), SERVICE_API_KEY: 'k'.repeat(16) };
const errorOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    return err instanceof ConfigError ? err.message : `unexpected: ${String(err)}`;
  }
  return 'accepted';
};

describe('configuration', () => {
  it('accepts the local defaults with the two secrets set, reading the guide’s list syntax', () => {
    const c = parseConfig({ ...valid, ORDER_CANCELLATION_ALLOWED_STATUSES: '["Placed", "Processing"]', CORS_ORIGINS: 'http://a.test,http://b.test' });

    expect(c.PORT).toBe(8002);
    expect(c.ORDER_CANCELLATION_ALLOWED_STATUSES).toEqual(['Placed', 'Processing']);
    expect(c.CORS_ORIGINS).toEqual(['http://a.test', 'http://b.test']);
    expect(c.QUEUE_PREFIX).toBe('{orms}');
  });

  it.each([
    [{ JWT_SECRET: undefined }, 'config: JWT_SECRET is required but not set'],
    [{ JWT_SECRET: 'short' }, 'config: JWT_SECRET must be at least 32 characters'],
    [{ SERVICE_API_KEY: undefined }, 'config: SERVICE_API_KEY is required but not set'],
    [{ PORT: 'eighty' }, 'config: PORT'],
    [{ PORT: '70000' }, 'config: PORT'],
    [{ JWT_ALGORITHM: 'RS256' }, 'config: JWT_ALGORITHM only HS256 is supported'],
    [{ MONGODB_URI: 'postgres://x' }, 'config: MONGODB_URI must be a mongodb://'],
    [{ ORDER_RETURN_ALLOWED_STATUSES: '["Delivered", "Lost"]' }, 'config: ORDER_RETURN_ALLOWED_STATUSES'],
    [{ ORDER_CANCELLATION_ALLOWED_STATUSES: '["Placed"' }, 'config: ORDER_CANCELLATION_ALLOWED_STATUSES must be a JSON array'],
    [{ LOG_LEVEL: 'loud' }, 'config: LOG_LEVEL'],
    [{ EMAIL_FROM: 'not-an-email' }, 'config: EMAIL_FROM'],
    [{ TEST_CRASH_AFTER_ORDER_WRITE: 'true', ENVIRONMENT: 'production' }, 'config: TEST_CRASH_AFTER_ORDER_WRITE is only allowed when ENVIRONMENT=test'],
    [{ BOARD_USER: 'ops' }, 'config: BOARD_PASSWORD BOARD_USER and BOARD_PASSWORD must be set together'],
  ])('refuses %j with a line naming the key', (override, expected) => {
    const env = { ...valid, ...override } as Record<string, string>;
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];

    expect(errorOf(env)).toContain(expected);
  });

  it('documents every key in .env.example, and nothing that is not a key', () => {
    const documented = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
      .filter((k): k is string => Boolean(k));
    const keys = Object.keys(configSchema.shape);

    expect(documented.sort()).toEqual(keys.sort());
  });

  it('stops a starting process with exit code 1 and one line naming the bad key', () => {
    const root = path.join(__dirname, '..');
    const env = { PATH: process.env.PATH, NODE_ENV: 'test', ...valid, PORT: 'not-a-port' };

    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('./src/config')"], { cwd: root, env, encoding: 'utf8', timeout: 20_000 });

    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config: PORT /);
  });
});
