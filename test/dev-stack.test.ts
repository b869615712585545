import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { createAuthServiceClient } from '../src/clients/auth-service';
import { createCustomerServiceClient } from '../src/clients/customer-service';
import { freePort } from './helpers/redis-server';
import { eventually } from './helpers/test-app';

/** A production environment that passes every other check (the tests' own lets webhooks reach loopback). */
const PRODUCTION = { ENVIRONMENT: 'production', JWT_SECRET: 'a1'.repeat(32), SERVICE_API_KEY: 'b2'.repeat(32), METRICS_TOKEN: 'c3'.repeat(16), WEBHOOK_ALLOW_PRIVATE_URLS: 'false' };

/** The local stand-ins and the token script, as scripts/start.sh and a developer run them. */
const ROOT = path.join(__dirname, '..');
const run = (script: string, env: Record<string, string>, args: string[] = []) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });

let peers: ChildProcess;
let auth: string;
let customers: string;
beforeAll(async () => {
  const [a, c] = await Promise.all([freePort(), freePort()]);
  auth = `http://127.0.0.1:${a}`;
  customers = `http://127.0.0.1:${c}`;
  peers = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev-peers/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, ENVIRONMENT: 'development', AUTH_SERVICE_URL: auth, CUSTOMER_SERVICE_URL: customers },
    stdio: 'ignore',
  });
  await eventually(async () => (await fetch(`${customers}/`).catch(() => null))?.ok && (await fetch(`${auth}/`).catch(() => null))?.ok, 15_000, 'the stand-ins to listen');
}, 20_000);
afterAll(() => {
  peers?.kill('SIGKILL');
});

describe('the local stand-ins for the Auth and Customer services', () => {
  it('answer ORMS’s own clients: a seeded customer, a made-up profile for any other id', async () => {
    const client = createAuthServiceClient(auth, 2000);

    const alice = await client.getUser('user-alice');
    const stranger = await client.getUser('someone-else-42');

    expect(alice).toEqual({ userId: 'user-alice', email: 'alice@example.com', name: 'Alice Fernandes', customerId: 'cust-alice' });
    expect(stranger).toMatchObject({ userId: 'someone-else-42', customerId: 'cust-someone-else-42' });
  });

  it('check the service key as the real ones do', async () => {
    const user = await fetch(`${auth}/api/auth/user/user-alice`, { headers: { 'x-service-api-key': 'wrong' } });
    const stats = await fetch(`${customers}/api/customers/internal/cust-alice/statistics`, { method: 'PATCH', body: '{}' });

    expect([user.status, stats.status]).toEqual([401, 401]);
  });

  it('record the statistics they are sent, and list them at GET /', async () => {
    const body = { totalOrders: 3, totalSpent: 42.5, lastOrderDate: null, ordersByStatus: { Placed: 3 }, calculatedAt: new Date().toISOString() };

    await createCustomerServiceClient(customers, 2000).updateStatistics('cust-bob', body);
    const listed = (await (await fetch(`${customers}/`)).json()) as { received: { customerId: string; body: unknown }[] };

    expect(listed.received).toEqual([expect.objectContaining({ customerId: 'cust-bob', body })]);
  });

  it('refuse to run in production', () => {
    const res = run('scripts/dev-peers/server.ts', { ...PRODUCTION });

    expect(res.status).toBe(1);
    expect(res.stderr).toContain('refusing to run with ENVIRONMENT=production');
  });
});

describe('npm run token', () => {
  it('prints a 12-hour token for a user of the directory, signed with the configured secret', () => {
    const res = run('scripts/token.ts', { ENVIRONMENT: 'development' }, ['--user', 'admin', '--role', 'Administrator']);

    expect(res.status).toBe(0);
    const claims = jwt.verify(res.stdout.trim(), process.env.JWT_SECRET as string, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'user-admin', role: 'Administrator', email: 'admin@example.com' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(12 * 3600);
  });

  it('refuses in production', () => {
    const res = run('scripts/token.ts', { ...PRODUCTION }, ['--user', 'alice']);

    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('refusing to sign a token with ENVIRONMENT=production');
  });
});
