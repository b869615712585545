import type { RequestHandler, Response } from 'express';
import type { RedisClient } from '../../infra/redis';
import { mongoConnected } from '../../infra/mongo';
import type { Dependency } from '../../infra/unavailable';
import { fail } from '../envelope';

/** How long a client is asked to wait before trying again while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

const NAMES: Record<Dependency, string> = { mongodb: 'MongoDB', redis: 'Redis' };

/** 503 in the envelope, naming what is down, with Retry-After. */
export function unavailable(res: Response, dependency: Dependency): void {
  res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  fail(res, 503, 'Service unavailable', [
    { field: dependency, message: `${NAMES[dependency]} is not answering; retry in a few seconds` },
  ]);
}

/**
 * Answers 503 at once while MongoDB is known to be down, instead of letting the request
 * wait for server selection and fail after seconds. The driver keeps probing and the
 * routes serve again as soon as it is back.
 */
export const needsMongo: RequestHandler = (_req, res, next) =>
  mongoConnected() ? next() : unavailable(res, 'mongodb');

/** The same for routes that work on the queues. */
export const needsRedis =
  (redis: RedisClient): RequestHandler =>
  (_req, res, next) =>
    redis.status === 'ready' ? next() : unavailable(res, 'redis');
