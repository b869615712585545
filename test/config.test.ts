import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError, EXAMPLE_SECRETS, configKeys, parseConfig } from '../src/config';
import { GENERATED_SECRETS } from './helpers/production-secrets';

const valid = { JWT_SECRET: 'x'.repeat(32), SERVICE_API_KEY: 'k'.repeat(16) };
const root = path.join(__dirname, '..');
/** .env.example as a new user's .env holds it. */
const example = parseEnv(readFileSync(path.join(root, '.env.example'), 'utf8'));
/** Secrets as an operator would generate them (openssl rand -hex 32). */
const strong = { ...GENERATED_SECRETS, BOARD_USER: 'ops' };
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
    const c = parseConfig({
      ...valid,
      ORDER_CANCELLATION_ALLOWED_STATUSES: '["Placed", "Processing"]',
      CORS_ORIGINS: 'http://a.test,http://b.test',
    });

    expect(c.PORT).toBe(8002);
    expect(c.ORDER_CANCELLATION_ALLOWED_STATUSES).toEqual(['Placed', 'Processing']);
    expect(c.CORS_ORIGINS).toEqual(['http://a.test', 'http://b.test']);
    expect(c.QUEUE_PREFIX).toBe('orms');
    expect(parseConfig({ ...valid, QUEUE_PREFIX: '{orms-eu}' }).QUEUE_PREFIX).toBe('orms-eu');
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
    [
      { ORDER_CANCELLATION_ALLOWED_STATUSES: '["Placed"' },
      'config: ORDER_CANCELLATION_ALLOWED_STATUSES must be a JSON array',
    ],
    [{ LOG_LEVEL: 'loud' }, 'config: LOG_LEVEL'],
    [{ EMAIL_FROM: 'not-an-email' }, 'config: EMAIL_FROM'],
    [
      { TEST_CRASH_AFTER_ORDER_WRITE: 'true', ENVIRONMENT: 'production' },
      'config: TEST_CRASH_AFTER_ORDER_WRITE is only allowed when ENVIRONMENT=test',
    ],
    [{ BOARD_USER: 'ops' }, 'config: BOARD_PASSWORD BOARD_USER and BOARD_PASSWORD must be set together'],
  ])('refuses %j with a line naming the key', (override, expected) => {
    const env = { ...valid, ...override } as Record<string, string>;
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];

    expect(errorOf(env)).toContain(expected);
  });

  it('starts in development and test with the values .env.example ships', () => {
    for (const ENVIRONMENT of ['development', 'test']) {
      const c = parseConfig({ ...example, ENVIRONMENT });

      expect(c.JWT_SECRET).toBe(EXAMPLE_SECRETS.JWT_SECRET);
      expect(c.DOCS_ENABLED).toBe(true);
    }
  });

  it('knows the secrets .env.example ships, so it can refuse them', () => {
    for (const [key, value] of Object.entries(EXAMPLE_SECRETS))
      expect({ key, value: example[key] }).toEqual({ key, value });
  });

  it.each(['production', 'staging'])(
    'in %s refuses the example secrets, an open /metrics and private webhook URLs, one line per key',
    (ENVIRONMENT) => {
      const lines = errorOf({ ...example, ENVIRONMENT }).split('\n');

      expect(lines).toEqual([
        expect.stringMatching(
          /^config: JWT_SECRET is or contains the example value from \.env\.example.*openssl rand -hex 32/,
        ),
        expect.stringMatching(/^config: SERVICE_API_KEY is or contains the example value/),
        expect.stringMatching(/^config: BOARD_PASSWORD is or contains the example value/),
        expect.stringMatching(/^config: WEBHOOK_SECRET_KEY is or contains the example value.*openssl rand -base64 32/),
        expect.stringMatching(/^config: METRICS_TOKEN is required in .* while METRICS_ENABLED=true/),
        expect.stringMatching(/^config: WEBHOOK_ALLOW_PRIVATE_URLS must not be true in /),
      ]);
    },
  );

  it('in production refuses secrets shorter than 32 / 24 / 16 characters', () => {
    const weak = { JWT_SECRET: 'j'.repeat(31), SERVICE_API_KEY: 's'.repeat(23), BOARD_PASSWORD: 'b'.repeat(15) };

    const lines = errorOf({ ...strong, ...weak, ENVIRONMENT: 'production' }).split('\n');

    expect(lines).toEqual([
      expect.stringMatching(/^config: JWT_SECRET must be at least 32 characters/),
      expect.stringMatching(/^config: SERVICE_API_KEY must be at least 24 characters in production/),
      expect.stringMatching(/^config: BOARD_PASSWORD must be at least 16 characters in production/),
    ]);
  });

  it('in production starts with generated secrets, docs closed unless opened, and no board without a password', () => {
    const c = parseConfig({ ...strong, ENVIRONMENT: 'production' });
    const opened = parseConfig({ ...strong, ENVIRONMENT: 'production', DOCS_ENABLED: 'true' });
    const noBoard = parseConfig({ ...strong, BOARD_USER: '', BOARD_PASSWORD: '', ENVIRONMENT: 'production' });
    const noMetrics = parseConfig({
      ...strong,
      METRICS_TOKEN: '',
      METRICS_ENABLED: 'false',
      ENVIRONMENT: 'production',
    });

    expect(c.DOCS_ENABLED).toBe(false);
    expect(c.BOARD_READ_ONLY).toBe(true);
    expect(opened.DOCS_ENABLED).toBe(true);
    expect(noBoard.BOARD_PASSWORD).toBe('');
    expect(noMetrics.METRICS_ENABLED).toBe(false);
  });

  it.each([
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['loopback, 10.0.0.0/8, fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
    ['true', true],
    ['0.0.0.0/1', ['0.0.0.0/1']],
  ])('reads TRUST_PROXY=%s as express takes it', (raw, expected) => {
    expect(parseConfig({ ...valid, TRUST_PROXY: raw }).TRUST_PROXY).toEqual(expected);
  });

  it.each([
    [
      'TRUST_PROXY that is no setting',
      { TRUST_PROXY: 'yes please' },
      'config: TRUST_PROXY must be false, true, a hop count or a list',
    ],
    ['TRUST_PROXY with a bad subnet', { TRUST_PROXY: '10.0.0.0/33' }, 'not an address: 10.0.0.0/33'],
    [
      'TRUST_PROXY=true in production',
      { ...strong, TRUST_PROXY: 'true', ENVIRONMENT: 'production' },
      'config: TRUST_PROXY must not be true in production',
    ],
    [
      'webhooks to private addresses in production',
      { ...strong, WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ENVIRONMENT: 'production' },
      'config: WEBHOOK_ALLOW_PRIVATE_URLS must not be true in production',
    ],
    ['an admin address that is no email', { ADMIN_EMAILS: 'ops@example.com,not-an-address' }, 'config: ADMIN_EMAILS'],
    ['a token lifetime of 0', { JWT_MAX_LIFETIME_SECONDS: '0' }, 'config: JWT_MAX_LIFETIME_SECONDS'],
    ['a board mode that is no boolean', { BOARD_READ_ONLY: 'maybe' }, 'config: BOARD_READ_ONLY'],
    [
      'open worker metrics in production',
      {
        ...strong,
        METRICS_TOKEN: '',
        METRICS_ENABLED: 'false',
        WORKER_METRICS_PORT: '9464',
        ENVIRONMENT: 'production',
      },
      'config: METRICS_TOKEN is required in production while WORKER_METRICS_PORT is set',
    ],
    ['a worker metrics port beyond 65535', { WORKER_METRICS_PORT: '70000' }, 'config: WORKER_METRICS_PORT'],
    // What express itself refuses with a stack trace: every address as one subnet.
    [
      'TRUST_PROXY=0.0.0.0/0',
      { TRUST_PROXY: '0.0.0.0/0' },
      'config: TRUST_PROXY must be false, true, a hop count or a list of proxy addresses/subnets (not an address: 0.0.0.0/0)',
    ],
    ['TRUST_PROXY=::/0', { TRUST_PROXY: '::/0' }, 'not an address: ::/0'],
    ['CORS_ORIGINS=*', { CORS_ORIGINS: '*' }, 'config: CORS_ORIGINS must name the origins; `*` is not one'],
    [
      'a short METRICS_TOKEN in production',
      { ...strong, METRICS_TOKEN: 'x', ENVIRONMENT: 'production' },
      'config: METRICS_TOKEN must be at least 32 characters in production',
    ],
    [
      'a METRICS_TOKEN of one character repeated in production',
      { ...strong, METRICS_TOKEN: 'a'.repeat(40), ENVIRONMENT: 'production' },
      'config: METRICS_TOKEN has fewer than 12 distinct characters',
    ],
    [
      'a JWT secret of one character repeated in staging',
      { ...strong, JWT_SECRET: 'a'.repeat(32), ENVIRONMENT: 'staging' },
      'config: JWT_SECRET has fewer than 12 distinct characters in staging',
    ],
    [
      '`changeme` four times in production',
      { ...strong, SERVICE_API_KEY: 'changeme'.repeat(4), ENVIRONMENT: 'production' },
      'config: SERVICE_API_KEY has fewer than 12 distinct characters',
    ],
    [
      'a secret containing the example value in production',
      { ...strong, JWT_SECRET: `${EXAMPLE_SECRETS.JWT_SECRET}-2026`, ENVIRONMENT: 'production' },
      'config: JWT_SECRET is or contains the example value',
    ],
    [
      'TRUST_PROXY trusting all of IPv4 in two halves in production',
      { ...strong, TRUST_PROXY: '0.0.0.0/1,128.0.0.0/1', ENVIRONMENT: 'production' },
      'config: TRUST_PROXY must not trust every address in production',
    ],
    [
      'TRUST_PROXY trusting all of IPv6 in production',
      { ...strong, TRUST_PROXY: '10.0.0.1, ::/1, 8000::/2, c000::/2', ENVIRONMENT: 'production' },
      'config: TRUST_PROXY must not trust every address in production',
    ],
    [
      'headers allowed longer than the whole request',
      { HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000' },
      'config: HTTP_HEADERS_TIMEOUT_MS must not be more than HTTP_REQUEST_TIMEOUT_MS',
    ],
    [
      'a webhook DNS server that is no address',
      { WEBHOOK_DNS_SERVERS: '127.0.0.1:5353, dns.example' },
      'config: WEBHOOK_DNS_SERVERS',
    ],
    [
      'no WEBHOOK_SECRET_KEY in production',
      { ...strong, WEBHOOK_SECRET_KEY: '', ENVIRONMENT: 'production' },
      'config: WEBHOOK_SECRET_KEY must be at least 44 characters in production; generate one (openssl rand -base64 32)',
    ],
    [
      'a WEBHOOK_SECRET_KEY that is not 32 bytes',
      { WEBHOOK_SECRET_KEY: Buffer.alloc(16, 7).toString('base64') },
      'config: WEBHOOK_SECRET_KEY must be 32 bytes in standard base64',
    ],
    [
      'a Redis CA file that is not there',
      { REDIS_TLS_CA_FILE: '/nonexistent/orms-ca.pem' },
      'config: REDIS_TLS_CA_FILE names no file: /nonexistent/orms-ca.pem',
    ],
    [
      'a previous webhook key equal to the current one',
      {
        WEBHOOK_SECRET_KEY: GENERATED_SECRETS.WEBHOOK_SECRET_KEY,
        WEBHOOK_SECRET_KEY_PREVIOUS: GENERATED_SECRETS.WEBHOOK_SECRET_KEY,
      },
      'config: WEBHOOK_SECRET_KEY_PREVIOUS must differ from WEBHOOK_SECRET_KEY',
    ],
    [
      'a previous webhook key without a current one',
      { WEBHOOK_SECRET_KEY_PREVIOUS: GENERATED_SECRETS.WEBHOOK_SECRET_KEY },
      'config: WEBHOOK_SECRET_KEY is required while WEBHOOK_SECRET_KEY_PREVIOUS is set',
    ],
    [
      'a common password with a run of digits as BOARD_PASSWORD in production',
      { ...strong, BOARD_PASSWORD: 'password12345678', ENVIRONMENT: 'production' },
      'config: BOARD_PASSWORD is guessable in production (about 10^4 guesses',
    ],
    [
      'a keyboard run as SERVICE_API_KEY in staging',
      { ...strong, SERVICE_API_KEY: 'qwertyuiop1234567890asdf', ENVIRONMENT: 'staging' },
      'config: SERVICE_API_KEY is guessable in staging',
    ],
    [
      'a TRUST_PROXY hop count of 99 in production',
      { ...strong, TRUST_PROXY: '99', ENVIRONMENT: 'production' },
      'config: TRUST_PROXY must not be a hop count above 10 in production',
    ],
  ])('refuses %s', (_name, override, expected) => {
    expect(errorOf({ ...valid, ...override })).toContain(expected);
  });

  it('documents every key in .env.example, and nothing that is not a key', () => {
    const documented = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
      .filter((k): k is string => Boolean(k));
    const keys = Object.keys(configKeys.shape);

    expect(documented.sort()).toEqual(keys.sort());
  });

  it('stops a production start on the example secrets and private webhook URLs with a non-zero exit and one line per offending key', () => {
    const env = { PATH: process.env.PATH, NODE_ENV: 'test', ...example, ENVIRONMENT: 'production' };

    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('./src/config')"], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });

    expect(run.status).not.toBe(0);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[1]),
    ).toEqual([
      'JWT_SECRET',
      'SERVICE_API_KEY',
      'BOARD_PASSWORD',
      'WEBHOOK_SECRET_KEY',
      'METRICS_TOKEN',
      'WEBHOOK_ALLOW_PRIVATE_URLS',
    ]);
  });

  it('stops a starting process with exit code 1 and one line naming the bad key', () => {
    const env = { PATH: process.env.PATH, NODE_ENV: 'test', ...valid, PORT: 'not-a-port' };

    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('./src/config')"], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });

    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config: PORT /);
  });
});
