import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';

/**
 * The address a request came from, for what is keyed by client: the budget of callers without
 * a token (`plugins/use-rate-limit.ts`).
 *
 * By default the socket's peer, whatever `X-Forwarded-For` says: a header any client can write
 * must not give it a fresh budget per request. Behind proxies the operator lists in
 * `TRUSTED_PROXIES`, the peer is a proxy, and the client is read from `X-Forwarded-For` right to
 * left past every trusted hop (proxy-addr, Express's `trust proxy`): what a client wrote itself
 * sits left of what its first trusted proxy appended, so it is never reached.
 *
 * The hop found is used only when it is an IP address. A trusted proxy that passes on anything
 * else (a name, garbage, a 4 KB string) would otherwise mint a key per request, in the store
 * and in memory; the address of the last trusted hop answers for it instead.
 */
export type ClientAddress = (req: IncomingMessage | undefined) => string;

/**
 * `trusted`: proxy-addr's forms, IP addresses, CIDR ranges (`10.0.0.0/8`) and `loopback`,
 * `linklocal`, `uniquelocal`; throws on anything else.
 */
export function clientAddressFrom(trusted: readonly string[]): ClientAddress {
  const peer = (req: IncomingMessage | undefined) => req?.socket?.remoteAddress ?? 'unknown';
  if (trusted.length === 0) return peer;
  const trust = proxyAddr.compile([...trusted]);
  return (req) => {
    if (req === undefined || req.socket?.remoteAddress === undefined) return peer(req);
    // From the peer leftwards, up to and including the first hop not trusted.
    const hops = proxyAddr.all(req, trust);
    const client = hops.at(-1);
    if (client !== undefined && isIP(client) !== 0) return client;
    return hops.at(-2) ?? peer(req);
  };
}
