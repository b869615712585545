import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { OutgoingMail } from '../shared/messages';

export interface SentMail {
  messageId: string;
  response: string;
}

/**
 * A send that failed. `permanent`: the server refused for good (5xx) or the message is
 * malformed — retrying cannot help. `delivered`: 'no' when we know the server did not take
 * the message (it answered with an error, or we never got connected); 'unknown' when the
 * connection broke or timed out in the middle, so it may have been taken.
 */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly delivered: 'no' | 'unknown',
    readonly responseCode: number | null,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export interface Mailer {
  /** 'smtp' when EMAIL_HOST is set, else 'file' (.eml files under EMAIL_DIR). */
  readonly kind: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

export interface MailerOptions {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  from: string;
  timeoutMs: number;
  dir: string;
  /** SMTP connections kept open and reused; one per email job that can run at once. */
  poolSize: number;
}

interface NodemailerError {
  message?: string;
  code?: string;
  responseCode?: number;
  syscall?: string;
}

/** Maps what nodemailer throws onto what a retry decision needs. */
export function classifyMailError(err: unknown): MailError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodemailerError;
  const message = e.message ?? String(err);
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (code !== null) return new MailError(message, code >= 500, 'no', code);
  // Refused before anything was sent: connect failed, bad credentials, bad envelope or message.
  const neverSent =
    e.syscall === 'connect' ||
    e.syscall === 'getaddrinfo' ||
    ['EDNS', 'EAUTH', 'EENVELOPE', 'EMESSAGE', 'ECONFIG'].includes(e.code ?? '');
  const permanent = ['EENVELOPE', 'EMESSAGE', 'ECONFIG'].includes(e.code ?? '');
  return new MailError(message, permanent, neverSent ? 'no' : 'unknown', null);
}

/**
 * nodemailer over SMTP; with no host (EMAIL_HOST unset), each message becomes
 * `<EMAIL_DIR>/<message id>.eml` (DESIGN.md 12), written whole or not at all.
 */
export function createMailer(o: MailerOptions): Mailer {
  if (!o.host) return fileMailer(o);
  // Pooled: a connection (TCP, greeting, EHLO, STARTTLS, AUTH) per message made the
  // worker three times slower than the SMTP server allows (bench/README.md). A connection
  // the server drops while idle is replaced; one dropped mid-send fails that send as
  // 'unknown', and the retry carries the same Message-ID.
  const transport: Transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: o.poolSize,
    maxMessages: 100,
    host: o.host,
    port: o.port,
    secure: o.secure,
    auth: o.user ? { user: o.user, pass: o.password } : undefined,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
    dnsTimeout: o.timeoutMs,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const info = (await transport.sendMail({ from: o.from, ...mail })) as { messageId: string; response: string };
        return { messageId: info.messageId, response: info.response };
      } catch (err) {
        throw classifyMailError(err);
      }
    },
    close: () => transport.close(),
  };
}

function fileMailer(o: MailerOptions): Mailer {
  const transport: Transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(mail) {
      const info = (await transport.sendMail({ from: o.from, ...mail })) as { messageId: string; message: Buffer };
      const name = mail.messageId.replace(/^<|>$/g, '').replace(/[^\w.@-]/g, '_');
      await mkdir(o.dir, { recursive: true });
      const file = path.join(o.dir, `${name}.eml`);
      // Rename is atomic: a reader never sees half a message, and a second run overwrites.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, info.message);
      await rename(tmp, file);
      return { messageId: info.messageId, response: `written to ${file}` };
    },
    close: () => undefined,
  };
}
