import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may never reach (SSRF): this host, private networks, link-local
 * (cloud metadata at 169.254.169.254 among them), carrier-grade NAT, multicast and the
 * unspecified ones, in IPv4 and IPv6 (IPv4-mapped IPv6 is judged as the IPv4 it maps).
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['fd00:ec2::', 32],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  const family = isIP(address);
  if (!family) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

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

const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Why the URL's host may not receive webhooks once resolved (every address it resolves to
 * must be public), or null. Delivery checks again at connection time (clients/webhook-http.ts),
 * so a name that later resolves elsewhere (DNS rebinding) is refused there.
 */
export async function addressProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  const host = hostOf(new URL(raw));
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return `The host ${host} could not be resolved`;
  }
  const bad = addresses.find(isBlockedAddress);
  return bad ? `The host resolves to ${bad}, a loopback, private, link-local or otherwise internal address` : null;
}
