import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type Request, type RequestHandler } from 'express';
import type { RedisClient } from '../infra/redis';
import { secretMatcher } from '../infra/secret-match';
import { config } from '../config';
import type { Queues } from '../queues/queues';
import { fail } from './envelope';
import { needsRedis } from './middleware/dependencies';
import { boardLoginLimiter } from './middleware/rate-limit';

export const BOARD_PATH = '/admin/queues';

/**
 * Basic auth against the operator credentials, each compared in constant time, and both
 * always compared (no early exit on a wrong user).
 */
export function basicAuth(user: string, password: string, realm = 'ORMS queues'): RequestHandler {
  const isUser = secretMatcher(user);
  const isPassword = secretMatcher(password);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const givenUser = colon >= 0 ? decoded.slice(0, colon) : '';
    const givenPassword = colon >= 0 ? decoded.slice(colon + 1) : '';
    const userOk = isUser(givenUser);
    const passwordOk = isPassword(givenPassword);
    if (m && colon >= 0 && userOk && passwordOk) return next();
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    fail(res, 401, 'Unauthorized', [{ field: 'authorization', message: 'Operator credentials are required' }]);
  };
}

export interface BoardOptions {
  user: string;
  password: string;
  /** Shows everything and changes nothing (BOARD_READ_ONLY). */
  readOnly: boolean;
  /** Failed logins per client address per 15 minutes (BOARD_LOGIN_MAX_FAILURES). */
  loginMaxFailures: number;
}

const fromConfig = (): BoardOptions => ({
  user: config.BOARD_USER,
  password: config.BOARD_PASSWORD,
  readOnly: config.BOARD_READ_ONLY,
  loginMaxFailures: config.BOARD_LOGIN_MAX_FAILURES,
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * What operators may change when the board is not read-only: retry, promote and clean
 * jobs (one, or all of a status). Nothing else: no job is added or edited by hand, no
 * queue paused, emptied or reconfigured from here.
 */
const ALLOWED_CHANGES = [
  /^\/api\/queues\/[^/]+\/(retry|clean)\/[^/]+$/,
  /^\/api\/queues\/[^/]+\/promote$/,
  /^\/api\/queues\/[^/]+\/[^/]+\/(retry|promote|clean)$/,
];

/** A request a page of another site made the operator's browser send (it carries the cached credentials). */
function crossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

const hasBody = (req: Request): boolean =>
  req.get('content-type') !== undefined ||
  req.get('transfer-encoding') !== undefined ||
  Number(req.get('content-length') ?? 0) > 0;

/** Which board requests may change anything (DESIGN.md 14). */
function guardChanges(readOnly: boolean): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (readOnly) {
      fail(res, 405, 'The board is read-only', [
        { field: 'board', message: 'BOARD_READ_ONLY is on: the board shows every queue and job and changes nothing' },
      ]);
      return;
    }
    if (req.method !== 'PUT' || !ALLOWED_CHANGES.some((p) => p.test(req.path))) {
      fail(res, 403, 'Not allowed from the board', [
        { field: 'board', message: 'Operators may retry, promote and clean jobs; no job is added or edited by hand' },
      ]);
      return;
    }
    if (crossSite(req)) {
      fail(res, 403, 'Cross-site request refused', [
        { field: 'origin', message: 'Board changes are accepted from the board itself only' },
      ]);
      return;
    }
    // No cross-site form post can send JSON; the board's own buttons send no body at all.
    if (hasBody(req) && !req.is('application/json')) {
      fail(res, 415, 'Unsupported media type', [
        { field: 'content-type', message: 'Board changes accept only application/json' },
      ]);
      return;
    }
    next();
  };
}

/**
 * Bull Board for operators (DESIGN.md 8, 10, 14): every queue; read-only unless configured
 * otherwise; behind basic auth whose failures are limited per client address. Null when
 * no credentials are configured: the board is never served open.
 */
export function boardRouter(queues: Queues, redis: RedisClient, options: BoardOptions = fromConfig()): Router | null {
  if (!options.user || !options.password) return null;
  const adapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  createBullBoard({
    queues: Object.values(queues).map(
      (q) =>
        new BullMQAdapter(q, {
          readOnlyMode: options.readOnly,
          ...(q.name === 'dead-letter' && {
            description: 'Jobs that failed for good; replay through POST /api/orders/dead-letters/:id/replay',
          }),
        }),
    ),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'ORMS queues', hideDocsLink: true } },
  });
  const r = Router();
  r.use(needsRedis(redis));
  r.use(boardLoginLimiter(redis, options.loginMaxFailures));
  r.use(basicAuth(options.user, options.password));
  r.use((_req, res, next) => {
    // The board's page uses inline styles and would pull web fonts from Google; nothing of
    // ours calls out of the machine, so fonts stay blocked and the page uses its fallback.
    res.set(
      'Content-Security-Policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'",
    );
    res.set('Cache-Control', 'no-store');
    next();
  });
  r.use(guardChanges(options.readOnly));
  r.use(adapter.getRouter() as Router);
  return r;
}
