import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import { config } from '../config';
import type { Queues } from '../queues/queues';
import { fail } from './envelope';

export const BOARD_PATH = '/admin/queues';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Basic auth against the operator credentials. Both parts are hashed before a
 * constant-time comparison, so neither their length nor their content leaks by timing,
 * and both are always compared (no early exit on a wrong user).
 */
export function basicAuth(user: string, password: string, realm = 'ORMS queues'): RequestHandler {
  const expectedUser = digest(user);
  const expectedPassword = digest(password);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const givenUser = colon >= 0 ? decoded.slice(0, colon) : '';
    const givenPassword = colon >= 0 ? decoded.slice(colon + 1) : '';
    const userOk = timingSafeEqual(digest(givenUser), expectedUser);
    const passwordOk = timingSafeEqual(digest(givenPassword), expectedPassword);
    if (m && colon >= 0 && userOk && passwordOk) return next();
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    fail(res, 401, 'Unauthorized', [{ field: 'authorization', message: 'Operator credentials are required' }]);
  };
}

/**
 * Bull Board for operators (DESIGN.md 8, 10): every queue, with retry. Null when no
 * credentials are configured: the board is never served open.
 */
export function boardRouter(queues: Queues, credentials = { user: config.BOARD_USER, password: config.BOARD_PASSWORD }): Router | null {
  if (!credentials.user || !credentials.password) return null;
  const adapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  createBullBoard({
    queues: Object.values(queues).map((q) => new BullMQAdapter(q, q.name === 'dead-letter' ? { description: 'Jobs that failed for good; replay through POST /api/orders/dead-letters/:id/replay' } : {})),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'ORMS queues', hideDocsLink: true } },
  });
  const r = Router();
  r.use(basicAuth(credentials.user, credentials.password));
  r.use((_req, res, next) => {
    // The board's page uses inline styles and would pull web fonts from Google; nothing of
    // ours calls out of the machine, so fonts stay blocked and the page uses its fallback.
    res.set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'");
    res.set('Cache-Control', 'no-store');
    next();
  });
  r.use(adapter.getRouter() as Router);
  return r;
}
