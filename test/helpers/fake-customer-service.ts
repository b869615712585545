import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StatisticsCall {
  customerId: string;
  apiKey: string | undefined;
  body: Record<string, unknown>;
  status: number;
}

export interface FakeCustomerService {
  url: string;
  /** Every PATCH …/statistics it received, oldest first, with the status it answered. */
  calls: StatisticsCall[];
  /** The statuses of the next calls, in order; after them it answers 200. */
  answerNext(...statuses: number[]): void;
  /** Calls answered 2xx. */
  successes(customerId?: string): StatisticsCall[];
  close(): Promise<void>;
}

/** The Customer Service as a real HTTP server on an ephemeral port. */
export async function startFakeCustomerService(): Promise<FakeCustomerService> {
  const calls: StatisticsCall[] = [];
  const planned: number[] = [];
  const server = http.createServer((req, res) => {
    const m = /^\/api\/customers\/internal\/([^/?]+)\/statistics$/.exec(req.url ?? '');
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'PATCH' || !m) {
        res.writeHead(404).end(JSON.stringify({ success: false, message: 'Not found' }));
        return;
      }
      const apiKey = req.headers['x-service-api-key'] as string | undefined;
      const status = apiKey !== process.env.SERVICE_API_KEY ? 401 : (planned.shift() ?? 200);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        /* recorded as empty */
      }
      calls.push({ customerId: decodeURIComponent(m[1]), apiKey, body, status });
      res
        .writeHead(status)
        .end(JSON.stringify({ success: status < 300, message: status < 300 ? 'Statistics updated' : 'Failed' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    answerNext: (...statuses) => void planned.push(...statuses),
    successes: (customerId) => calls.filter((c) => c.status < 300 && (!customerId || c.customerId === customerId)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
