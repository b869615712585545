import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

/** A message the server accepted (answered 250 to), decoded enough for assertions. */
export interface ReceivedMail {
  to: string[];
  messageId: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

type DataGate = (stream: SMTPServerDataStream, sessionId: string) => Promise<{ code: number; message: string } | null>;

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  /** Messages accepted so far, oldest first. */
  readonly received: ReceivedMail[];
  /** How many DATA phases began (accepted or not). */
  dataPhases(): number;
  /** Decides the answer of the following DATA phases (null = accept); reset by `acceptAll`. */
  gate(fn: DataGate): void;
  acceptAll(): void;
  /**
   * Holds the next DATA phase before the server's 250, as a slow relay would: `reached`
   * resolves with its session when it begins, `release()` lets it be answered.
   */
  holdNextData(): { reached: Promise<string>; release: () => void };
  /** Resolves once the client of a session has disconnected. */
  whenClosed(sessionId: string): Promise<void>;
  /** Stops listening (clients get connection refused) and drops open connections. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Decodes a quoted-printable or base64 body into UTF-8 text. */
function decodeBody(body: string, encoding: string): string {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function splitHeaders(part: string): { headers: Record<string, string>; body: string } {
  const at = part.search(/\r?\n\r?\n/);
  const head = at < 0 ? part : part.slice(0, at);
  const body = at < 0 ? '' : part.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

/** Just enough MIME for what nodemailer writes: one multipart/alternative with text and html. */
export function parseMail(raw: string, to: string[] = []): ReceivedMail {
  const { headers, body } = splitHeaders(raw);
  const mail: ReceivedMail = {
    to,
    messageId: headers['message-id'] ?? '',
    subject: headers.subject ?? '',
    text: '',
    html: '',
    raw,
  };
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [raw];
  for (const p of parts) {
    const part = splitHeaders(p.replace(/^\r?\n/, ''));
    const decoded = decodeBody(part.body, part.headers['content-transfer-encoding'] ?? '');
    if (/text\/html/i.test(part.headers['content-type'] ?? '')) mail.html = decoded;
    else if (/text\/plain/i.test(part.headers['content-type'] ?? '')) mail.text = decoded;
  }
  // nodemailer may encode a non-ASCII subject (=?UTF-8?Q?...?=).
  // (whitespace between two encoded words is not part of the text: RFC 2047 6.2)
  mail.subject = mail.subject
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
    );
  return mail;
}

/** A real SMTP server on an ephemeral port (no TLS, no auth), as the tests' mail relay. */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let phases = 0;
  let gateFn: DataGate | null = null;
  const gone = new Set<string>();
  const closedWaiters = new Map<string, () => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onClose(session) {
      gone.add(session.id);
      closedWaiters.get(session.id)?.();
    },
    onData(stream, session, callback) {
      phases++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const answer = gateFn ? gateFn(stream, session.id) : Promise.resolve(null);
        void answer.then((refusal) => {
          if (refusal) {
            const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
            return callback(err);
          }
          // A client that went away before our 250 did not hand the message over.
          if (gone.has(session.id)) return callback(new Error('client gone'));
          const to = session.envelope.rcptTo.map((r) => r.address);
          received.push(parseMail(Buffer.concat(chunks).toString('utf8'), to));
          callback(null, 'Message queued');
        });
      });
    },
  });
  server.on('error', () => undefined);
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        port = (server.server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      // smtp-server's close() waits for open sessions; a test that stops the server wants
      // clients cut off now.
      for (const conn of (server as unknown as { connections: Set<{ close(): void }> }).connections ?? []) conn.close();
      server.server.close(() => resolve());
    });
  await listen();
  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    received,
    dataPhases: () => phases,
    gate: (fn) => void (gateFn = fn),
    acceptAll: () => void (gateFn = null),
    holdNextData() {
      let reachedData!: (sessionId: string) => void;
      const reached = new Promise<string>((resolve) => (reachedData = resolve));
      let release!: () => void;
      const held = new Promise<null>((resolve) => (release = () => resolve(null)));
      gateFn = (_stream, sessionId) => {
        gateFn = null;
        reachedData(sessionId);
        return held;
      };
      return { reached, release };
    },
    whenClosed: (sessionId) =>
      gone.has(sessionId) ? Promise.resolve() : new Promise<void>((resolve) => closedWaiters.set(sessionId, resolve)),
    stop: stopListening,
    start: listen,
    close: async () => {
      gateFn = null;
      if (server.server.listening) await stopListening();
    },
  };
}
