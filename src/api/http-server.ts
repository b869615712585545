import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';

// Node's HTTP parser refuses some requests before express sees them; these are its codes.
const PARSER_STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers', 'The request line and headers together must stay under 16 KB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request', 'The request took too long to arrive'],
};

/**
 * The API's HTTP server. Requests Node refuses while parsing (headers and URL over 16 KB,
 * malformed HTTP) are answered in the envelope too, not with Node's bare status line.
 */
export function createHttpServer(app: Express): http.Server {
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than the usual load balancer's idle timeout
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, field, detail] = PARSER_STATUS[err.code ?? ''] ?? [400, 'request', 'Not a well-formed HTTP/1.1 request'];
    const body = JSON.stringify({ success: false, message: http.STATUS_CODES[status], errors: [{ field, message: detail }] });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
