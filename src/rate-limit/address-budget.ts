import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

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
 * - Anything else (`unknown`, a socket already gone) is used as it is.
 */
export function addressBudget(address: string): string {
  if (isIP(address) === 0) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${v6.toString()}/64`).toString()}/64`;
}
