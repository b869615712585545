import type { RequestHandler } from 'express';
import type { RedisClient } from '../../infra/redis';
import { authenticate, requireRole } from './authenticate';
import { serviceKeyLimiter } from './rate-limit';
import { requireServiceKey } from './service-key';

const asAdministrator = requireRole('Administrator');

/**
 * For what both the order desk and other services read (the event feed): a request that
 * sends a service key is judged by it alone (and a wrong one counts towards the per-address
 * limit of wrong keys); any other needs an Administrator's token.
 */
export function adminOrServiceKey(redis: RedisClient): RequestHandler[] {
  const wrongKeys = serviceKeyLimiter(redis);
  // An empty header is no key: the token decides.
  const sendsKey = (req: Parameters<RequestHandler>[0]) => Boolean(req.get('x-service-api-key'));
  return [
    (req, res, next) => (sendsKey(req) ? wrongKeys(req, res, next) : next()),
    (req, res, next) => {
      if (sendsKey(req)) return requireServiceKey(req, res, next);
      authenticate(req, res, (err?: unknown) => (err ? next(err) : asAdministrator(req, res, next)));
    },
  ];
}
