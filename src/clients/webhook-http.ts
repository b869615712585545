import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import axios from 'axios';
import { isBlockedAddress } from '../services/webhooks/url-guard';

export interface WebhookPost {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** How one attempt went: a status when the receiver answered, an error when it did not. */
export interface WebhookAnswer {
  statusCode: number | null;
  error: string | null;
  /** The receiver's Retry-After, when it sent one we can read. */
  retryAfterMs: number | null;
  durationMs: number;
}

export interface WebhookHttpOptions {
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Let receivers on loopback and private addresses be reached (development, tests). */
  allowPrivate: boolean;
}

/** DNS as usual, then every address checked: a name that resolves inside is refused at connection time. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    // Which address is not said: the error is shown to admins, who need not learn the inside.
    if (bad || !addresses.length) return callback(new Error(`refused: ${hostname} resolves to ${bad ? 'a non-public address' : 'nothing'}`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

/** An agent whose sockets must connect within `connectTimeoutMs`. */
function agentOf<A extends typeof http.Agent>(Base: A, connectTimeoutMs: number, allowPrivate: boolean): InstanceType<A> {
  class ConnectTimeoutAgent extends (Base as typeof http.Agent) {
    override createConnection(...args: Parameters<http.Agent['createConnection']>): ReturnType<http.Agent['createConnection']> {
      const socket = super.createConnection(...args) as Socket | null | undefined;
      if (socket) {
        const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${connectTimeoutMs} ms`)), connectTimeoutMs);
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      }
      return socket;
    }
  }
  return new ConnectTimeoutAgent({ keepAlive: false, ...(allowPrivate ? {} : { lookup: guardedLookup }) }) as InstanceType<A>;
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * POSTs webhook bodies: no redirects followed, no internal address reached (checked after
 * DNS, at connection time), 3 s to connect and 10 s in all by default. Never throws: what
 * happened is in the answer.
 */
export function webhookHttp(opts: WebhookHttpOptions): (post: WebhookPost) => Promise<WebhookAnswer> {
  const client = axios.create({
    httpAgent: agentOf(http.Agent, opts.connectTimeoutMs, opts.allowPrivate),
    httpsAgent: agentOf(https.Agent, opts.connectTimeoutMs, opts.allowPrivate),
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'text',
    maxContentLength: 64 * 1024,
    timeout: opts.timeoutMs,
    proxy: false,
  });
  return async ({ url, body, headers }) => {
    const started = Date.now();
    const durationMs = () => Date.now() - started;
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    // An address in the URL is connected to without a lookup: judge it here.
    if (!opts.allowPrivate && isIP(host) && isBlockedAddress(host)) return { statusCode: null, error: 'refused: the address is not public', retryAfterMs: null, durationMs: 0 };
    try {
      const res = await client.post(url, body, { headers, signal: AbortSignal.timeout(opts.timeoutMs) });
      const retryAfter = res.headers['retry-after'];
      return { statusCode: res.status, error: null, retryAfterMs: retryAfterMs(typeof retryAfter === 'string' ? retryAfter : undefined), durationMs: durationMs() };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { statusCode: null, error: message.slice(0, 500), retryAfterMs: null, durationMs: durationMs() };
    }
  };
}
