import type { Request, RequestHandler } from 'express';
import { config } from '../../config';
import { UnauthenticatedError } from '../../shared/errors';
import { secretMatcher } from '../../infra/secret-match';

const isServiceKey = secretMatcher(config.SERVICE_API_KEY);

/** Whether the request carries the service key, compared in constant time. */
export function hasServiceKey(req: Request): boolean {
  const given = req.get('x-service-api-key');
  return given !== undefined && isServiceKey(given);
}

/** Internal endpoints: `x-service-api-key` must match. */
export const requireServiceKey: RequestHandler = (req, _res, next) => {
  if (!hasServiceKey(req))
    return next(new UnauthenticatedError('A valid service API key is required', 'x-service-api-key'));
  next();
};
