import type { ErrorRequestHandler, RequestHandler } from 'express';
import { unavailableDependency } from '../../infra/unavailable';
import { DomainError, type ErrorKind } from '../../shared/errors';
import { fail } from '../envelope';
import { unavailable } from './dependencies';
import { MAX_JSON_DEPTH } from './json-body';

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  business_rule: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  gone: 410,
  upstream_unavailable: 502,
};

export const notFound: RequestHandler = (req, res) => {
  fail(res, 404, 'Route not found', [{ field: 'path', message: `No route for ${req.method} ${req.path}` }]);
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
}

/** One place that turns any error into the envelope; nothing internal leaves the process. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof DomainError) {
    fail(res, STATUS[err.kind], err.message, err.errors);
    return;
  }
  const bp = (typeof err === 'object' && err !== null ? err : {}) as BodyParserError;
  switch (bp.type) {
    case 'entity.parse.failed':
      fail(res, 400, 'Malformed JSON', [{ field: 'body', message: 'The request body is not valid JSON' }]);
      return;
    case 'entity.too.deep':
      fail(res, 400, 'Validation failed', [
        { field: 'body', message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels is not accepted` },
      ]);
      return;
    case 'entity.too.large':
      fail(res, 413, 'Payload too large', [
        { field: 'body', message: `The request body exceeds ${bp.limit ?? 'the'} bytes` },
      ]);
      return;
    case 'media.unsupported':
      fail(res, 415, 'Unsupported media type', [
        { field: 'content-type', message: 'Send the body as application/json' },
      ]);
      return;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      fail(res, 415, 'Unsupported encoding', [{ field: 'body', message: 'Send JSON encoded as UTF-8' }]);
      return;
    default:
      break;
  }
  if (err instanceof URIError) {
    // The router could not decode a path parameter (`/api/orders/%ff`).
    fail(res, 400, 'Validation failed', [{ field: 'path', message: 'The path is not valid percent-encoded UTF-8' }]);
    return;
  }
  if (bp.expose && bp.status && bp.status >= 400 && bp.status < 500) {
    fail(res, bp.status, 'Bad request', [{ field: 'request', message: 'The request could not be read' }]);
    return;
  }
  const down = unavailableDependency(err);
  if (down) {
    req.log.warn({ err: String(err), dependency: down }, 'dependency unavailable');
    unavailable(res, down);
    return;
  }
  req.log.error({ err }, 'unhandled error');
  fail(res, 500, 'Internal server error', [{ field: 'server', message: 'An unexpected error occurred' }]);
};
