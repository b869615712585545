import type { Request } from 'express';
import type { RequestMeta } from '../services/order-events';

/** Where a request came from, as recorded on orders and history rows. */
export function requestMeta(req: Request): RequestMeta {
  const platform = req.get('x-client-platform') ?? req.get('sec-ch-ua-platform')?.replace(/"/g, '');
  return {
    ipAddress: req.ip,
    userAgent: req.get('user-agent')?.slice(0, 500),
    platform: platform?.slice(0, 50) ?? 'unknown',
  };
}
