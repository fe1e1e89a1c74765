import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

const IPV4_MAPPED = new BlockList();
IPV4_MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * The budget a caller without a token pays from, named by its address
 * (`client-address.ts` says which address that is).
 *
 * - An IPv4 address is a budget of its own.
 * - An IPv6 address shares its /64's: an ISP gives each subscriber at least a /64 (RFC 6177),
 *   and a host picks addresses in it at will (temporary addresses, RFC 8981), so a budget per
 *   IPv6 address would be a fresh budget per request for whoever wants one.
 * - An IPv4 address written as IPv6 (`::ffff:203.0.113.7`, what a dual-stack socket reports)
 *   is that IPv4 address, not a /64 shared by every IPv4 client.
 *   Only that form: ipaddr.js also reads the old IPv4-compatible `::203.0.113.7` as mapped,
 *   which would let whoever can write that spend the IPv4 address's budget; Node's own parser
 *   (a `BlockList` of ::ffff:0:0/96) decides instead.
 * - Anything else (`unknown`, a socket already gone) is used as it is: `client-address.ts`
 *   hands over nothing but plain addresses and that word.
 */
export function addressBudget(address: string): string {
  if (isIP(address) === 0) return address;
  const withoutZone = address.split('%', 1)[0] ?? address;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(withoutZone);
  } catch {
    return withoutZone; // Node calls it an address, ipaddr.js does not: a budget of its own.
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (IPV4_MAPPED.check(withoutZone, 'ipv6')) return v6.toIPv4Address().toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${v6.toString()}/64`).toString()}/64`;
}
