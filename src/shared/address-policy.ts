import ipaddr from 'ipaddr.js';

/*
 * Which addresses and URLs webhooks may reach (SSRF): one policy for the subscription's
 * check at registration (services/webhooks/url-guard.ts) and the delivery's check at
 * connection time (clients/webhook-http.ts).
 */

/**
 * Whether a webhook may reach the address (SSRF): only global unicast, as ipaddr.js
 * classifies it (its `unicast`: none of loopback, private, unique-local, link-local,
 * site-local, carrier-grade NAT, benchmarking, documentation, reserved, multicast,
 * broadcast, unspecified). IPv4-mapped IPv6 (`::ffff:a.b.c.d`), which a socket reaches as
 * that IPv4 address, is judged as it; every other form that carries an IPv4 address (NAT64
 * `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4, Teredo, IPv4-compatible `::a.b.c.d`,
 * SIIT) is refused whatever it carries: a network that translates them can reach inside.
 */
export function isPublicAddress(address: string): boolean {
  const ip = parsed(address);
  if (!ip) return false;
  if (ip.kind() === 'ipv4') return ip.range() === 'unicast';
  const v6 = ip as ipaddr.IPv6;
  const [first96, word6] = [v6.parts.slice(0, 5).every((p) => p === 0), v6.parts[5]];
  // ipaddr.js counts IPv4-compatible `::/96` as unicast: it is refused here.
  if (first96 && word6 === 0) return false;
  return first96 && word6 === 0xffff ? v6.toIPv4Address().range() === 'unicast' : v6.range() === 'unicast';
}

/**
 * The address as a socket would take it. IPv6 is read through the URL parser first, as the
 * delivery's own URL is (ipaddr.js reads `::a.b.c.d` as IPv4-mapped, the URL parser as the
 * IPv4-compatible `::xxxx:xxxx` it is); a zone (`%eth0`) does not change the verdict.
 */
function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let text = address;
  if (address.includes(':')) {
    try {
      text = new URL(`http://[${address.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
    } catch {
      return null;
    }
  }
  return ipaddr.isValid(text) ? ipaddr.parse(text) : null;
}

/** Anything a webhook may not reach: not a public address, or not an address at all. */
export const isBlockedAddress = (address: string): boolean => !isPublicAddress(address);

/** Why a URL may not receive webhooks, or null when it may (before DNS: its form). */
export function urlFormProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Must be an http or https URL';
  if (url.username || url.password) return 'Must not carry a user name or password';
  if (!url.hostname) return 'Must name a host';
  return null;
}

/** What admins read when a host is refused for its addresses: which address is not said. */
export const NON_PUBLIC_ADDRESS =
  'resolves to a non-public address (loopback, private, link-local, reserved or a form that can embed one)';

/** A name that did not resolve in time or does not resolve: that attempt fails, a later one may not. */
export class HostUnresolved extends Error {
  readonly code = 'ORMS_HOST_UNRESOLVED';
}

/** One address of a resolved name, as a socket's lookup hands it over. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** The DNS as the policy's users ask it (clients/resolve-host.ts answers): every address of a name. */
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>;
