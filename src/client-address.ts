import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';

/**
 * The address a request came from, for what is keyed by client: the budget of callers without
 * a token (`plugins/use-rate-limit.ts`).
 *
 * By default the socket's peer, whatever `X-Forwarded-For` says: a header any client can write
 * must not give it a fresh budget per request. Behind proxies the operator names in
 * `TRUSTED_PROXIES` (by address, or by how many hops there are when their addresses change),
 * the peer is a proxy, and the client is read from `X-Forwarded-For` right to left past every
 * trusted hop (proxy-addr, Express's `trust proxy`): what a client wrote itself sits left of
 * what its first trusted proxy appended, so it is never reached.
 *
 * The hop found is used only when it is an IP address. A trusted proxy that passes on anything
 * else (a name, garbage, a 4 KB string) would otherwise mint a key per request, in the store
 * and in memory; the address of the last trusted hop answers for it instead.
 */
export type ClientAddress = (req: IncomingMessage | undefined) => string;

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** More proxies in a row than any real deployment has: a typo, not a topology. */
export const MAX_PROXY_HOPS = 10;

/**
 * The proxies trusted: their addresses in proxy-addr's forms (IP addresses, CIDR ranges such as
 * `10.0.0.0/8`, and `loopback`, `linklocal`, `uniquelocal`), or the number of hops nearest the
 * BFF, the peer first, that are proxies (0 to `MAX_PROXY_HOPS`); anything else throws.
 */
export type TrustedProxies = readonly string[] | number;

export function clientAddressFrom(trusted: TrustedProxies): ClientAddress {
  const peer = (req: IncomingMessage | undefined) => req?.socket?.remoteAddress ?? 'unknown';
  const trust = trustOf(trusted);
  if (trust === null) return peer;
  return (req) => {
    if (req === undefined || req.socket?.remoteAddress === undefined) return peer(req);
    // From the peer leftwards, up to and including the first hop not trusted.
    const hops = proxyAddr.all(req, trust);
    const client = hops.at(-1);
    if (client !== undefined && isIP(client) !== 0) return client;
    return hops.at(-2) ?? peer(req);
  };
}

/** proxy-addr's trust of a hop (0: the peer); null when no proxy is trusted. */
function trustOf(trusted: TrustedProxies): ((address: string, hop: number) => boolean) | null {
  if (typeof trusted === 'number') {
    if (!Number.isInteger(trusted) || trusted < 0 || trusted > MAX_PROXY_HOPS) {
      throw new RangeError(`not a number of hops from 0 to ${MAX_PROXY_HOPS}: ${trusted}`);
    }
    return trusted === 0 ? null : (_address, hop) => hop < trusted;
  }
  if (trusted.length === 0) return null;
  // proxy-addr also reads `11` or `0x0a.1` as IPv4 addresses: only the plain forms are taken.
  const odd = trusted.find(
    (entry) => !NAMED_RANGES.has(entry) && isIP(entry.split('/')[0] ?? '') === 0,
  );
  if (odd !== undefined) throw new TypeError(`not an address, range or named range: ${odd}`);
  return proxyAddr.compile([...trusted]);
}
