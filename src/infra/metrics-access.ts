import { secretMatcher } from './secret-match';

/** What a scrape without the right token is told, by the API and the worker processes alike. */
export const METRICS_TOKEN_REQUIRED = { field: 'authorization', message: 'A valid metrics token is required' } as const;

/**
 * Who may read metrics, the same for every process that serves them: anyone while `token`
 * is empty (local development), otherwise only `Authorization: Bearer <token>`, compared
 * in constant time.
 */
export function metricsAccess(token: string): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const isToken = secretMatcher(token);
  return (authorization) => isToken(authorization?.replace(/^Bearer /, '') ?? '');
}
