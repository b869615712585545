import { isPublicAddress } from '../../src/shared/address-policy';

/** Every form an address can take, and whether a webhook may reach it: only global unicast. */
const VERDICTS: [address: string, what: string, reachable: boolean][] = [
  ['93.184.216.34', 'IPv4 global unicast', true],
  ['8.8.8.8', 'IPv4 global unicast', true],
  ['2606:4700:4700::1111', 'IPv6 global unicast', true],
  ['::ffff:93.184.216.34', 'IPv4-mapped IPv6 of a public address', true],
  ['127.0.0.1', 'IPv4 loopback', false],
  ['0177.0.0.1', 'IPv4 loopback in octal', false],
  ['10.1.2.3', 'IPv4 private', false],
  ['172.16.0.1', 'IPv4 private', false],
  ['192.168.1.10', 'IPv4 private', false],
  ['169.254.169.254', 'IPv4 link-local (cloud metadata)', false],
  ['100.64.0.1', 'carrier-grade NAT', false],
  ['198.18.0.1', 'benchmarking', false],
  ['192.0.2.1', 'documentation (reserved)', false],
  ['240.0.0.1', 'reserved', false],
  ['224.0.0.1', 'IPv4 multicast', false],
  ['255.255.255.255', 'broadcast', false],
  ['0.0.0.0', 'IPv4 unspecified', false],
  ['::1', 'IPv6 loopback', false],
  ['::', 'IPv6 unspecified', false],
  ['fd00::1', 'unique local', false],
  ['fc00::1', 'unique local', false],
  ['fe80::1', 'IPv6 link-local', false],
  ['fe80::1%eth0', 'IPv6 link-local with a zone', false],
  ['fec0::1', 'site-local (deprecated)', false],
  ['ff02::1', 'IPv6 multicast', false],
  ['2001:db8::1', 'documentation (reserved)', false],
  ['2001:2::1', 'IPv6 benchmarking', false],
  ['100::1', 'discard-only', false],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback', false],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata', false],
  ['::127.0.0.1', 'IPv4-compatible loopback', false],
  ['::93.184.216.34', 'IPv4-compatible (deprecated) of a public address', false],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata service', false],
  ['64:ff9b::7f00:1', 'NAT64 of loopback', false],
  ['64:ff9b::5db8:d822', 'NAT64 of a public address', false],
  ['64:ff9b:1::a9fe:a9fe', 'local-use NAT64', false],
  ['2002:7f00:1::', '6to4 of loopback', false],
  ['2002:a9fe:a9fe::', '6to4 of the metadata service', false],
  ['2001::1', 'Teredo', false],
  ['::ffff:0:7f00:1', 'SIIT (IPv4-translated) of loopback', false],
  ['not-an-address', 'not an address', false],
  ['1.2.3.4.5', 'not an address', false],
];

describe('which addresses a webhook may reach', () => {
  it.each(VERDICTS)('%s (%s): %s', (address, _what, reachable) => {
    expect(isPublicAddress(address)).toBe(reachable);
  });
});
