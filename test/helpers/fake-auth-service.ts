import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { users } from './tokens';

export interface FakeAuthService {
  url: string;
  /** Requests it received, newest last. */
  calls: { path: string; apiKey: string | undefined }[];
  /** Forget a user so the service answers 404 for them. */
  forget(userId: string): void;
  close(): Promise<void>;
}

/** The Auth Service as a real HTTP server on an ephemeral port (DESIGN.md 8's contract). */
export async function startFakeAuthService(opts: { generatedPrefix?: string } = {}): Promise<FakeAuthService> {
  const known = new Map<string, object>(Object.values(users).map((u) => [u._id, u]));
  const calls: FakeAuthService['calls'] = [];
  const server = http.createServer((req, res) => {
    const apiKey = req.headers['x-service-api-key'] as string | undefined;
    calls.push({ path: req.url ?? '', apiKey });
    const m = /^\/api\/auth\/user\/([^/?]+)$/.exec(req.url ?? '');
    const id = m ? decodeURIComponent(m[1]) : '';
    // Load tests need many customers: ids under the generated prefix are all known.
    const generated =
      opts.generatedPrefix && id.startsWith(opts.generatedPrefix)
        ? { _id: id, email: `${id}@example.com`, firstName: 'Load', lastName: id, customerId: `c-${id}` }
        : undefined;
    const user = m ? (known.get(id) ?? generated) : undefined;
    res.setHeader('content-type', 'application/json');
    if (apiKey !== process.env.SERVICE_API_KEY) {
      res.writeHead(401).end(JSON.stringify({ success: false, message: 'bad service key' }));
    } else if (!user) {
      res.writeHead(404).end(JSON.stringify({ success: false, message: 'User not found' }));
    } else {
      res.writeHead(200).end(JSON.stringify({ success: true, data: user }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    forget: (id) => void known.delete(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
