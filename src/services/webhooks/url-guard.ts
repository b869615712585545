import {
  HostUnresolved,
  isBlockedAddress,
  NON_PUBLIC_ADDRESS,
  type ResolveHost,
  type ResolvedAddress,
} from '../../shared/address-policy';

const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Why the URL's host may not receive webhooks once resolved (every address it resolves to
 * must be public), or null. Delivery checks again at connection time (clients/webhook-http.ts),
 * so a name that later resolves elsewhere (DNS rebinding) is refused there.
 */
export async function addressProblem(
  raw: string,
  allowPrivate: boolean,
  resolveHost: ResolveHost,
): Promise<string | null> {
  if (allowPrivate) return null;
  const host = hostOf(new URL(raw));
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveHost(host);
  } catch (err) {
    return err instanceof HostUnresolved
      ? `The host could not be resolved: ${err.message}`
      : 'The host could not be resolved';
  }
  return addresses.some((a) => isBlockedAddress(a.address)) ? `The host ${NON_PUBLIC_ADDRESS}` : null;
}
