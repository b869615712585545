import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HostUnresolved, type ResolveHost, type ResolvedAddress } from '../shared/address-policy';

/** `localhost` and its subdomains are loopback by definition (RFC 6761): no server is asked. */
const isLocalhost = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/**
 * Queries the DNS servers itself (c-ares, as `dns.promises.Resolver` does), never through
 * `dns.lookup`: that runs getaddrinfo on libuv's four-thread pool, where a few names that
 * hang would stall every file read, zlib and crypto call of the process, other queues' jobs
 * included. One try, WEBHOOK_DNS_TIMEOUT_MS long; WEBHOOK_DNS_SERVERS, when set, are asked
 * instead of the system's (resolv.conf).
 *
 * The resolver answers every address `host` resolves to (A and AAAA), within the timeout;
 * an address is its own answer. It throws HostUnresolved, whose message says what happened
 * to the name and never to which server: it is shown to administrators.
 */
export function createResolveHost(opts: { timeoutMs: number; servers: readonly string[] }): ResolveHost {
  let shared: Resolver | null = null;
  const resolver = (): Resolver => {
    if (!shared) {
      shared = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
      if (opts.servers.length) shared.setServers([...opts.servers]);
    }
    return shared;
  };
  return (host) => resolveWith(resolver(), opts.timeoutMs, host);
}

async function resolveWith(r: Resolver, timeoutMs: number, host: string): Promise<ResolvedAddress[]> {
  const family = isIP(host);
  if (family) return [{ address: host, family: family === 6 ? 6 : 4 }];
  if (isLocalhost(host))
    return [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ];
  let timer: NodeJS.Timeout | undefined;
  // c-ares keeps to its timeout; the timer is the deadline should a query outlive it.
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs + 250);
  });
  try {
    const answers = await Promise.race([Promise.allSettled([r.resolve4(host), r.resolve6(host)]), deadline]);
    if (answers === 'late') throw new HostUnresolved(`the host did not resolve within ${timeoutMs} ms`);
    const [v4, v6] = answers;
    const addresses: ResolvedAddress[] = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
    ];
    if (addresses.length) return addresses;
    const codes = answers.map((a) => (a.status === 'rejected' ? (a.reason as { code?: string }).code : undefined));
    if (codes.includes('ETIMEOUT')) throw new HostUnresolved(`the host did not resolve within ${timeoutMs} ms`);
    throw new HostUnresolved('the host does not resolve to any address');
  } finally {
    clearTimeout(timer);
  }
}
