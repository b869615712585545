/**
 * Stand-ins for the platform's Auth and Customer services on a developer's machine (pm2 app
 * `orms-dev-peers`, started by scripts/start.sh only in development when nothing answers at
 * AUTH_SERVICE_URL / CUSTOMER_SERVICE_URL). They answer what ORMS asks of the real ones,
 * check the service key as they do, and keep what they received for `GET /`.
 * Never part of the service: not under src/, not in the production image.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import http from 'node:http';
import { config, isProductionLike } from '../../src/config';
import { logger } from '../../src/logger';
import { DIRECTORY, lookUp } from './directory';

if (isProductionLike(config.ENVIRONMENT)) {
  process.stderr.write(`dev-peers: refusing to run with ENVIRONMENT=${config.ENVIRONMENT}: these are stand-ins for development\n`);
  process.exit(1);
}

interface StatisticsCall {
  customerId: string;
  body: unknown;
  receivedAt: string;
}
const received: StatisticsCall[] = [];
const MAX_KEPT = 10_000;

const digest = (s: string) => createHash('sha256').update(s).digest();
const keyOk = (req: http.IncomingMessage) => {
  const given = req.headers['x-service-api-key'];
  return typeof given === 'string' && timingSafeEqual(digest(given), digest(config.SERVICE_API_KEY));
};

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  return raw ? JSON.parse(raw) : null;
}

const USER = /^\/api\/auth\/user\/([^/]+)$/;
const STATISTICS = /^\/api\/customers\/internal\/([^/]+)\/statistics$/;

async function handle(role: 'auth' | 'customer' | 'both', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/') {
    send(res, 200, {
      standIns: role === 'both' ? ['auth', 'customer'] : [role],
      note: 'Local stand-ins for the platform services (scripts/dev-peers), not the real ones',
      ...(role !== 'customer' && { users: Object.values(DIRECTORY) }),
      ...(role !== 'auth' && { statisticsCalls: received.length, received }),
    });
    return;
  }
  const user = USER.exec(path);
  const stats = STATISTICS.exec(path);
  if ((user && role !== 'customer' && req.method === 'GET') || (stats && role !== 'auth' && req.method === 'PATCH')) {
    if (!keyOk(req)) return send(res, 401, { success: false, message: 'A valid service API key is required' });
    if (user) {
      const { role: _role, ...profile } = lookUp(decodeURIComponent(user[1]));
      return send(res, 200, { success: true, message: 'User retrieved', data: profile });
    }
    const customerId = decodeURIComponent(stats![1]);
    received.push({ customerId, body: await readJson(req), receivedAt: new Date().toISOString() });
    if (received.length > MAX_KEPT) received.shift();
    logger.info({ customerId }, 'customer stand-in: statistics received');
    return send(res, 200, { success: true, message: 'Statistics updated' });
  }
  send(res, 404, { success: false, message: 'Not found' });
}

const portOf = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port || 80) });
const auth = portOf(config.AUTH_SERVICE_URL);
const customer = portOf(config.CUSTOMER_SERVICE_URL);
const listeners = auth.port === customer.port ? [{ role: 'both' as const, ...auth }] : [{ role: 'auth' as const, ...auth }, { role: 'customer' as const, ...customer }];

for (const l of listeners) {
  const server = http.createServer((req, res) => {
    handle(l.role, req, res).catch((err: unknown) => send(res, 400, { success: false, message: String(err) }));
  });
  server.listen(l.port, l.host === 'localhost' ? '127.0.0.1' : l.host, () => logger.info({ role: l.role, port: l.port }, 'dev peer stand-in listening'));
}
process.send?.('ready');
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
