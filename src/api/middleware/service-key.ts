import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { config } from '../../config';
import { UnauthenticatedError } from '../../services/errors';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const expected = digest(config.SERVICE_API_KEY);

/** Internal endpoints: `x-service-api-key` must match, compared in constant time. */
export const requireServiceKey: RequestHandler = (req, _res, next) => {
  const given = req.get('x-service-api-key');
  // Hashing first gives equal-length buffers, so neither length nor content leaks by timing.
  if (!given || !timingSafeEqual(digest(given), expected)) {
    return next(new UnauthenticatedError('A valid service API key is required', 'x-service-api-key'));
  }
  next();
};
