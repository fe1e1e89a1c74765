import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import parseForwarded from 'forwarded-parse';
import proxyAddr from 'proxy-addr';

/**
 * The address a request came from, for what is keyed by client, the budget of callers without
 * a token (`plugins/use-rate-limit.ts`), and for the request's log line and span.
 *
 * By default the socket's peer, whatever `X-Forwarded-For` says: a header any client can write
 * must not give it a fresh budget per request. Behind proxies the operator names in
 * `TRUSTED_PROXIES` (by address, or by how many hops there are when their addresses change),
 * the peer is a proxy, and the client is read from `X-Forwarded-For` right to left past every
 * trusted hop (proxy-addr, Express's `trust proxy`): what a client wrote itself sits left of
 * what its first trusted proxy appended, so it is never reached. Proxies that write the
 * standard `Forwarded` header instead (RFC 7239) are read the same way, its elements' `for=`
 * right to left, when the operator says so: only the header the proxies write may be read,
 * since a client can write the other one whole.
 *
 * What is returned is always a plain IP address (or `unknown`, for a socket already gone), at
 * most 45 characters, never the text of a header: it keys budgets, and it is logged. So:
 * - a port some proxies append (`203.0.113.7:443`, `[2001:db8::1]:443`) is dropped;
 * - an IPv6 zone (`fe80::1%eth0`) is dropped: it names an interface of the host that wrote it,
 *   and Node takes zones of any length and characters as part of an address;
 * - a hop that is still not an IP address (a name, garbage, a 4 KB string) names nobody: the
 *   nearest trusted hop that is one answers for it, down to the socket's peer. Otherwise a
 *   trusted proxy passing on garbage, or a hop count above the real number of proxies, would
 *   mint a key per request, in the store, in memory and in the log.
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

/** The header the trusted proxies append the client's address to. */
export type ForwardingHeader = 'x-forwarded-for' | 'forwarded';

export function clientAddressFrom(
  trusted: TrustedProxies,
  header: ForwardingHeader = 'x-forwarded-for',
): ClientAddress {
  const peer = (req: IncomingMessage | undefined) =>
    plainAddress(req?.socket?.remoteAddress ?? '') ?? 'unknown';
  const trust = trustOf(trusted);
  if (trust === null) return peer;
  return (req) => {
    if (req === undefined || req.socket?.remoteAddress === undefined) return peer(req);
    // From the peer leftwards, up to and including the first hop not trusted: the client is
    // the last, else the nearest trusted hop that is an address.
    const hops = proxyAddr.all(header === 'forwarded' ? withForwardedFor(req) : req, trust);
    for (let hop = hops.length - 1; hop > 0; hop -= 1) {
      const address = plainAddress(hops[hop] ?? '');
      if (address !== undefined) return address;
    }
    return peer(req);
  };
}

/**
 * The request as proxy-addr reads it, with `Forwarded`'s `for=` values in place of
 * `X-Forwarded-For`: one walk over the hops for both headers. Each element is read on its own,
 * so that what a client wrote (which may not parse at all) can never spoil the elements its
 * proxies appended after it. An element that does not parse, has no `for=`, or has one that
 * would not stay one entry of a comma list (empty, spaces, commas) is an `unknown` hop: it
 * keeps its place, which a count of trusted hops depends on.
 */
function withForwardedFor(req: IncomingMessage): IncomingMessage {
  const written = req.headers.forwarded;
  const hops = typeof written === 'string' ? written.split(',').map(forOfElement) : [];
  const read: Pick<IncomingMessage, 'headers' | 'socket'> = {
    headers: { 'x-forwarded-for': hops.join(', ') },
    socket: req.socket,
  };
  return read as IncomingMessage; // all that proxy-addr reads of a request
}

/** A proxy's `for=` in one element of `Forwarded`, or `unknown`. */
function forOfElement(element: string): string {
  try {
    const hop = parseForwarded(element.trim())[0]?.for;
    return hop !== undefined && /^[^\s,]+$/.test(hop) ? hop : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `[2001:db8::1]:443`, `[2001:db8::1]`: an IPv6 address in brackets, with or without a port. */
const BRACKETED = /^\[([^\]]{1,64})\](?::\d{1,5})?$/;
/** `203.0.113.7:443`: an IPv4 address with a port. */
const WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

/** The IP address a hop names, without port or zone; undefined when it names none. */
function plainAddress(hop: string): string | undefined {
  const text = hop.trim();
  const unwrapped = BRACKETED.exec(text)?.[1] ?? WITH_PORT.exec(text)?.[1] ?? text;
  const address = unwrapped.split('%', 1)[0] ?? '';
  return isIP(address) === 0 ? undefined : address;
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
  const listed = proxyAddr.compile([...trusted]);
  // A proxy that writes ports writes them on its own hop too: judged without them.
  return (address, hop) => {
    const plain = plainAddress(address);
    return plain !== undefined && listed(plain, hop);
  };
}
