import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const SECRETS = {
  JWT_SECRET: 'a1'.repeat(32),
  SERVICE_API_KEY: 'b2'.repeat(32),
  BOARD_PASSWORD: 'c3'.repeat(32),
  METRICS_TOKEN: 'd4'.repeat(32),
};

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
  if (run.error) throw new Error(`docker-compose is needed for this test (apt-get install docker-compose): ${run.error.message}`);
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
