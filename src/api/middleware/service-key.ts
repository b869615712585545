import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { config } from '../../config';
import { UnauthenticatedError } from '../../services/errors';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const expected = digest(config.SERVICE_API_KEY);

/** Whether the request carries the service key, compared in constant time. */
export function hasServiceKey(req: Request): boolean {
  const given = req.get('x-service-api-key');
  if (!given) return false;
  // Hashing first gives equal-length buffers, so neither length nor content leaks by timing.
  return timingSafeEqual(digest(given), expected);
}

/** Internal endpoints: `x-service-api-key` must match. */
export const requireServiceKey: RequestHandler = (req, _res, next) => {
  if (!hasServiceKey(req)) return next(new UnauthenticatedError('A valid service API key is required', 'x-service-api-key'));
  next();
};
