import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { logger } from '../logger';
import { METRICS_TOKEN_REQUIRED, metricsAccess } from './metrics-access';

export interface MetricsServer {
  readonly port: number;
  /** Stops listening and drops open connections (a scraper keeps its connection alive). */
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
};

/**
 * `GET /metrics` of `registry` on its own port, for a process that serves no HTTP
 * otherwise (the workers): plain node:http, the same token check and envelope as the
 * API's /metrics. Resolves once listening; rejects if the port cannot be had, so a
 * misconfigured port stops the process instead of leaving it unobserved.
 */
export function startMetricsServer(registry: Registry, port: number, token: string): Promise<MetricsServer> {
  const mayRead = metricsAccess(token);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      json(res, 404, { success: false, message: 'Not found', errors: [] });
      return;
    }
    if (!mayRead(req.headers.authorization)) {
      json(res, 401, { success: false, message: 'Unauthorized', errors: [METRICS_TOKEN_REQUIRED] });
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        logger.error({ err }, 'metrics could not be collected');
        json(res, 500, { success: false, message: 'Internal server error', errors: [] });
      },
    );
  });
  return new Promise<MetricsServer>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
