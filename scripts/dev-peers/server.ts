/**
 * Stand-ins for the platform's Auth and Customer services on a developer's machine (pm2 app
 * `orms-dev-peers`, started by scripts/start.sh only in development when nothing answers at
 * AUTH_SERVICE_URL / CUSTOMER_SERVICE_URL). They answer what ORMS asks of the real ones,
 * check the service key as they do, and keep what they received for `GET /` (a page in a
 * browser, JSON otherwise). The Customer stand-in also plays webhook receivers
 * (webhook-receiver.ts) and keeps what it received across restarts (state.ts).
 * Never part of the service: not under src/, not in the production image.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import http from 'node:http';
import { config, isProductionLike } from '../../src/config';
import { logger } from '../../src/logger';
import { DIRECTORY, lookUp } from './directory';
import { prefersHtml, renderPage } from './page';
import { PeerState } from './state';
import { HttpError, RECEIVER_PATH, handleReceiver } from './webhook-receiver';

if (isProductionLike(config.ENVIRONMENT)) {
  process.stderr.write(
    `dev-peers: refusing to run with ENVIRONMENT=${config.ENVIRONMENT}: these are stand-ins for development\n`,
  );
  process.exit(1);
}

const state = new PeerState((message) => logger.warn(message));
state.load();

const digest = (s: string) => createHash('sha256').update(s).digest();
const keyOk = (req: http.IncomingMessage) => {
  const given = req.headers['x-service-api-key'];
  return typeof given === 'string' && timingSafeEqual(digest(given), digest(config.SERVICE_API_KEY));
};

function send(res: http.ServerResponse, status: number, body: unknown): void {
  // A receiver may be told to answer 204 or 304, which carry no body.
  if (status === 204 || status === 304) res.writeHead(status).end();
  else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  return raw ? JSON.parse(raw) : null;
}

const USER = /^\/api\/auth\/user\/([^/]+)$/;
const STATISTICS = /^\/api\/customers\/internal\/([^/]+)\/statistics$/;

async function handle(
  role: 'auth' | 'customer' | 'both',
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/') {
    const standIns = role === 'both' ? ['auth', 'customer'] : [role];
    const users = role !== 'customer' ? Object.values(DIRECTORY) : undefined;
    if (prefersHtml(req.headers.accept)) {
      const html = renderPage({
        standIns,
        users,
        ...(role !== 'auth' && {
          statisticsCalls: state.statisticsCalls,
          webhooks: state.receiverViews(),
        }),
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', vary: 'Accept' }).end(html);
      return;
    }
    res.setHeader('vary', 'Accept');
    send(res, 200, {
      standIns,
      note: 'Local stand-ins for the platform services (scripts/dev-peers), not the real ones',
      ...(users && { users }),
      ...(role !== 'auth' && {
        statisticsCalls: state.statisticsCalls.length,
        received: state.statisticsCalls,
        webhooks: state.receiverViews(),
      }),
    });
    return;
  }
  const receiver = role !== 'auth' ? RECEIVER_PATH.exec(path) : null;
  if (receiver) {
    const reply = await handleReceiver(state, receiver[1], req, (name, d) =>
      logger.info(
        { receiver: name, eventType: d.eventType, eventId: d.eventId, verified: d.verified, answered: d.answered },
        'webhook receiver stand-in: delivery received',
      ),
    );
    if (reply) return send(res, reply.status, reply.body);
    res.setHeader('allow', 'GET, PUT, POST');
    return send(res, 405, { success: false, message: 'GET, PUT or POST' });
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
    state.addStatisticsCall({ customerId, body: await readJson(req), receivedAt: new Date().toISOString() });
    logger.info({ customerId }, 'customer stand-in: statistics received');
    return send(res, 200, { success: true, message: 'Statistics updated' });
  }
  send(res, 404, { success: false, message: 'Not found' });
}

const portOf = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port || 80) });
const auth = portOf(config.AUTH_SERVICE_URL);
const customer = portOf(config.CUSTOMER_SERVICE_URL);
const listeners =
  auth.port === customer.port
    ? [{ role: 'both' as const, ...auth }]
    : [
        { role: 'auth' as const, ...auth },
        { role: 'customer' as const, ...customer },
      ];

for (const l of listeners) {
  const server = http.createServer((req, res) => {
    handle(l.role, req, res).catch((err: unknown) =>
      send(res, err instanceof HttpError ? err.status : 400, {
        success: false,
        message: err instanceof Error ? err.message : String(err),
      }),
    );
  });
  server.listen(l.port, l.host === 'localhost' ? '127.0.0.1' : l.host, () =>
    logger.info({ role: l.role, port: l.port }, 'dev peer stand-in listening'),
  );
}
process.send?.('ready');
// pm2 stops with SIGINT; what came in during the last write delay is saved on the way out.
const stop = () => {
  try {
    state.flush();
  } finally {
    process.exit(0);
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
