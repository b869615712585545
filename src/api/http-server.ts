import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Config } from '../config';

// Node's HTTP parser refuses some requests before express sees them; these are its codes.
const PARSER_STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers', 'The request line and headers together must stay under 16 KB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request', 'The request took too long to arrive'],
};

/** How long a client may take, and how many connections a process holds (config's HTTP_… and MAX_CONNECTIONS). */
export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** Node checks the two request deadlines every this often (its default, 30 s, would let a slow client hold on that much longer). */
const DEADLINE_CHECK_MS = 1_000;

/**
 * The API's HTTP server. A client that dribbles its headers or body is answered 408 and
 * closed at its deadline, not held for Node's defaults (a minute, five); connections past
 * `maxConnections` are closed as they arrive, so slow clients cannot take every socket and
 * all the memory. Requests Node refuses while parsing (headers and URL over 16 KB, malformed
 * HTTP, too slow) are answered in the envelope too, not with Node's bare status line.
 */
export function createHttpServer(app: Express, limits: HttpLimits): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, field, detail] = PARSER_STATUS[err.code ?? ''] ?? [
      400,
      'request',
      'Not a well-formed HTTP/1.1 request',
    ];
    const body = JSON.stringify({
      success: false,
      message: http.STATUS_CODES[status],
      errors: [{ field, message: detail }],
    });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

/** The limits as configured. */
export const httpLimitsOf = (
  c: Pick<
    Config,
    'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS' | 'MAX_CONNECTIONS'
  >,
): HttpLimits => ({
  headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  maxConnections: c.MAX_CONNECTIONS,
});
