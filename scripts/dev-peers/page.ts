/**
 * The stand-ins' `GET /` for a person: what they answer for and what they received, as a
 * page (page.pug, beside this file because the stand-ins are not the product; views/ is).
 */
import path from 'node:path';
import pug from 'pug';
import type { DirectoryUser } from './directory';
import type { Delivery, StatisticsCall } from './state';

/** A page of 10,000 rows helps nobody; the JSON (same URL, without Accept: text/html) has them all. */
const SHOWN = 500;

/** The q of the most specific range of an Accept header that matches the type (0 when none does). */
function quality(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = { specificity: -1, q: 0 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    best = { specificity, q: q ? Number(q.slice(2)) || 0 : 1 };
  }
  return best.q;
}

/** A browser's Accept ranks text/html above JSON; curl's and fetch's `*∕*` ties them, and ties keep the JSON. */
export function prefersHtml(accept: string | undefined): boolean {
  return accept !== undefined && quality(accept, 'text/html') > quality(accept, 'application/json');
}

export interface PageData {
  standIns: string[];
  users?: DirectoryUser[];
  statisticsCalls?: StatisticsCall[];
  webhooks?: { name: string; answer: number; hasSecret: boolean; received: Delivery[] }[];
}

let template: pug.compileTemplate | undefined;

const latest = <T>(list: T[]) => ({ total: list.length, rows: list.slice(-SHOWN).reverse() });

export function renderPage(data: PageData): string {
  // Compiled on first use, so a stand-in nobody opens in a browser never reads the template.
  template ??= pug.compileFile(path.join(__dirname, 'page.pug'));
  return template({
    standIns: data.standIns,
    users: data.users,
    statistics: data.statisticsCalls && latest(data.statisticsCalls),
    webhooks: data.webhooks?.map((w) => ({ ...w, ...latest(w.received) })),
    shown: SHOWN,
    totalsOf,
  });
}

/** The statistics body ORMS sends (src/clients/customer-service.ts), read loosely: the stand-in records whatever came. */
function totalsOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return JSON.stringify(body);
  const b = body as { totalOrders?: unknown; totalSpent?: unknown; ordersByStatus?: unknown };
  const byStatus =
    typeof b.ordersByStatus === 'object' && b.ordersByStatus !== null
      ? Object.entries(b.ordersByStatus)
          .map(([s, n]) => `${s} ${String(n)}`)
          .join(', ')
      : '';
  return `${String(b.totalOrders ?? '?')} order${b.totalOrders === 1 ? '' : 's'}, ${String(b.totalSpent ?? '?')} spent${byStatus ? ` (${byStatus})` : ''}`;
}
