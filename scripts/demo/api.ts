/**
 * How the demo talks to the running stack: the API as the stand-in directory's users, the
 * metrics, Mailpit and the stand-ins. Anything but the expected answer ends the demo with
 * what came back, so a failure names the call.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../../src/config';
import { devToken } from '../dev-token';

export const API = `http://127.0.0.1:${config.PORT}`;
export const MAILBOX = `http://${process.env.MAILPIT_UI ?? '127.0.0.1:8025'}`;
export const STAND_INS = config.CUSTOMER_SERVICE_URL.replace(/\/$/, '');

/** A shortfall the demo names and stops on (exit 1). */
export class DemoError extends Error {}

const tokens = new Map<string, string>();
const tokenOf = (who: string) => tokens.get(who) ?? tokens.set(who, devToken(who)).get(who) ?? '';

export interface Answer<T> {
  data: T;
  res: Response;
}

/** One call of the API as `who` (a user of the stand-in directory, or 'admin'). */
export async function call<T = Record<string, unknown>>(
  who: string,
  method: string,
  path: string,
  body?: unknown,
  expected = [200, 201, 202],
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const res = await fetch(API + path, {
    method,
    headers: {
      authorization: `Bearer ${tokenOf(who)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { data?: T };
  if (!expected.includes(res.status))
    throw new DemoError(`${method} ${path} as ${who} answered ${res.status}: ${JSON.stringify(json).slice(0, 400)}`);
  return { data: json.data as T, res };
}

/** A file the API serves (an export's download), as text. */
export async function download(who: string, path: string): Promise<{ text: string; type: string }> {
  const res = await fetch(API + path, { headers: { authorization: `Bearer ${tokenOf(who)}` } });
  if (res.status !== 200)
    throw new DemoError(`GET ${path} as ${who} answered ${res.status}: ${(await res.text()).slice(0, 400)}`);
  return { text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** JSON from the mailbox or the stand-ins. */
export async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok)
    throw new DemoError(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${(await res.text()).slice(0, 400)}`);
  return (await res.json()) as T;
}

/** The API's Prometheus text. */
export async function metrics(): Promise<string> {
  const res = await fetch(`${API}/metrics`, {
    headers: config.METRICS_TOKEN ? { authorization: `Bearer ${config.METRICS_TOKEN}` } : {},
  });
  if (!res.ok)
    throw new DemoError(
      `GET ${API}/metrics answered ${res.status}: the demo reads the queues from it (METRICS_ENABLED=true)`,
    );
  return res.text();
}

export { sleep };

/** Polls `check` until it answers something truthy; past the deadline, `shortfall` names what is missing. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  deadline: number,
  shortfall: () => string | Promise<string>,
): Promise<T> {
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new DemoError(await shortfall());
    await sleep(500);
  }
}
