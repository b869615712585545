import net from 'node:net';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { eventually } from './helpers/test-app';

/**
 * Clients that send slowly, or hold connections open, against a real API process: a
 * dribbled request is cut off at its deadline with 408 in the envelope, and connections past
 * MAX_CONNECTIONS are closed, so a few slow clients cannot hold the process's sockets.
 */
jest.setTimeout(60_000);

const LIMITS = { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', MAX_CONNECTIONS: '4' };
let limited: ApiProcess;
let shipped: ApiProcess;
beforeAll(async () => {
  [limited, shipped] = await Promise.all([startApiProcess(LIMITS), startApiProcess({})]);
});
afterAll(() => Promise.all([limited?.kill(), shipped?.kill()]));

interface Conversation {
  socket: net.Socket;
  /** What the server sent, once it closed the connection; and when, in ms after connecting. */
  closed: Promise<{ text: string; afterMs: number }>;
}

function connect(api: ApiProcess): Promise<Conversation> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const started = Date.now();
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    const closed = new Promise<{ text: string; afterMs: number }>((done) =>
      socket.once('close', () => done({ text, afterMs: Date.now() - started })),
    );
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Writes `chunks` one every `everyMs` while the socket is open. */
async function dribble(socket: net.Socket, chunks: string[], everyMs: number): Promise<void> {
  for (const chunk of chunks) {
    if (socket.destroyed || !socket.writable) return;
    socket.write(chunk);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('slow clients', () => {
  it('answers 408 in the envelope and closes a connection whose headers arrive a byte at a time, at HTTP_HEADERS_TIMEOUT_MS', async () => {
    const c = await connect(limited);

    void dribble(
      c.socket,
      ['GET /health HTTP/1.1\r\nHost: x\r\n', ...'X-Slow: abcdefghijklmnopqrstuvwxyz0123456789'.split('')],
      200,
    );
    const { text, afterMs } = await c.closed;

    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('"success":false');
    expect(afterMs).toBeGreaterThanOrEqual(1000);
    expect(afterMs).toBeLessThan(1000 + 2500);
  });

  it('answers 408 and closes a connection whose body arrives a byte at a time, at HTTP_REQUEST_TIMEOUT_MS', async () => {
    const c = await connect(limited);
    const body = JSON.stringify({ notes: 'x'.repeat(200) });

    void dribble(
      c.socket,
      [
        `POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        ...body.split(''),
      ],
      100,
    );
    const { text, afterMs } = await c.closed;

    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(2000);
    expect(afterMs).toBeLessThan(2000 + 2500);
  });

  it(`closes connections past MAX_CONNECTIONS as they arrive, and takes new ones once others have gone`, async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => connect(limited)));
    // Each is counted once the server has accepted it: an answered request shows that.
    for (const c of held) c.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await Promise.all(held.map((c) => new Promise((r) => c.socket.once('data', r))));

    const extra = await connect(limited);
    extra.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const refused = await extra.closed;
    held[0].socket.destroy();
    await held[0].closed;
    // The server hears of the close on its own side a moment later: until then it is still full.
    const later = await eventually(
      async () => (await fetch(`${limited.url}/health`).catch(() => null)) ?? null,
      5000,
      'a connection to be taken once one has gone',
    );

    expect(refused.text).toBe('');
    expect(later.status).toBe(200);
    for (const c of held.slice(1)) c.socket.destroy();
  });

  it('as shipped, keeps an idle connection open longer than a load balancer would (65 s) and says so', async () => {
    const c = await connect(shipped);

    c.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const head = await new Promise<string>((r) => c.socket.once('data', (d) => r(d.toString())));
    c.socket.destroy();

    const timeout = Number(/keep-alive: timeout=(\d+)/i.exec(head)?.[1]);
    expect(timeout).toBeGreaterThan(65);
  });
});
