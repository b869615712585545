import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import axios from 'axios';
import type { WebhookAnswer } from '../shared/messages';
import { isBlockedAddress, NON_PUBLIC_ADDRESS, type ResolveHost } from '../shared/address-policy';
import { answerEveryAddress } from '../shared/type-gaps';

export interface WebhookPost {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface WebhookHttpOptions {
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Let receivers on loopback and private addresses be reached (development, tests). */
  allowPrivate: boolean;
  /** Names are resolved by it (clients/resolve-host.ts), never by `dns.lookup`. */
  resolveHost: ResolveHost;
}

/** The code of the error a lookup fails with when a name resolves to an address webhooks may not reach. */
const REFUSED = 'ORMS_ADDRESS_REFUSED';

/**
 * The receiver's name resolved by our resolver (a deadline, off libuv's thread pool:
 * clients/resolve-host.ts), then every address checked: a name that resolves
 * inside is refused at connection time, whatever it resolved to at registration.
 */
const guardedLookup =
  (resolveHost: ResolveHost): LookupFunction =>
  (hostname, options, callback) => {
    resolveHost(hostname).then(
      (resolved) => {
        const addresses = resolved.filter((a) => !options.family || options.family === a.family);
        if (resolved.some((a) => isBlockedAddress(a.address)))
          return callback(
            Object.assign(new Error(`refused: the host ${NON_PUBLIC_ADDRESS}`), { code: REFUSED }),
            '',
            0,
          );
        if (!addresses.length)
          return callback(
            Object.assign(new Error(`the host has no IPv${options.family} address`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        if (options.all) return answerEveryAddress(callback)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), '', 0),
    );
  };

/** An agent whose sockets must connect within `connectTimeoutMs`. */
function agentOf<A extends typeof http.Agent>(
  Base: A,
  connectTimeoutMs: number,
  allowPrivate: boolean,
  resolveHost: ResolveHost,
): InstanceType<A> {
  class ConnectTimeoutAgent extends (Base as typeof http.Agent) {
    override createConnection(
      ...args: Parameters<http.Agent['createConnection']>
    ): ReturnType<http.Agent['createConnection']> {
      const socket = super.createConnection(...args) as Socket | null | undefined;
      if (socket) {
        const timer = setTimeout(
          () => socket.destroy(new Error(`connect timed out after ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      }
      return socket;
    }
  }
  return new ConnectTimeoutAgent({
    keepAlive: false,
    ...(allowPrivate ? {} : { lookup: guardedLookup(resolveHost) }),
  }) as InstanceType<A>;
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
    httpAgent: agentOf(http.Agent, opts.connectTimeoutMs, opts.allowPrivate, opts.resolveHost),
    httpsAgent: agentOf(https.Agent, opts.connectTimeoutMs, opts.allowPrivate, opts.resolveHost),
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
    if (!opts.allowPrivate && isIP(host) && isBlockedAddress(host))
      return {
        statusCode: null,
        error: 'refused: the address is not public',
        retryAfterMs: null,
        durationMs: 0,
        addressRefused: true,
      };
    try {
      const res = await client.post(url, body, { headers, signal: AbortSignal.timeout(opts.timeoutMs) });
      const retryAfter = res.headers['retry-after'];
      return {
        statusCode: res.status,
        error: null,
        retryAfterMs: retryAfterMs(typeof retryAfter === 'string' ? retryAfter : undefined),
        durationMs: durationMs(),
        addressRefused: false,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // axios copies the failed lookup's code onto its own error.
      const addressRefused = (err as { code?: unknown }).code === REFUSED;
      return {
        statusCode: null,
        error: message.slice(0, 500),
        retryAfterMs: null,
        durationMs: durationMs(),
        addressRefused,
      };
    }
  };
}
