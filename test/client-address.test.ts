import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientAddress, clientAddressFrom, MAX_PROXY_HOPS } from '../src/client-address.js';
import { ConfigError, loadConfig } from '../src/config.js';

/**
 * Who a request comes from, as a server on a real socket sees it: each request is answered
 * with the address `clientAddressFrom` reads for it, under the trust the path names. The test's
 * requests come from 127.0.0.1, so with `loopback` trusted the peer is a proxy.
 */

const TRUST: Record<string, ClientAddress> = {
  '/none': clientAddressFrom([]),
  '/loopback': clientAddressFrom(['loopback']),
  '/loopback-and-private': clientAddressFrom(['loopback', '10.0.0.0/8']),
  '/other-proxy': clientAddressFrom(['192.0.2.10']),
  '/one-hop': clientAddressFrom(1),
  '/two-hops': clientAddressFrom(2),
  '/forwarded-loopback': clientAddressFrom(['loopback'], 'forwarded'),
  '/forwarded-two-hops': clientAddressFrom(2, 'forwarded'),
};

let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const address = TRUST[req.url ?? '']?.(req) ?? 'no such trust';
    res.end(address);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function addressOf(trust: string, forwardedFor?: string): Promise<string> {
  return addressWith(trust, forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor });
}

async function addressWith(trust: string, headers: Record<string, string>): Promise<string> {
  const answer = await request(`${origin}${trust}`, { headers });
  return answer.body.text();
}

describe('clientAddressFrom', () => {
  it('trusts no proxy by default: X-Forwarded-For, which any client can write, is ignored', async () => {
    expect(await addressOf('/none')).toBe('127.0.0.1');
    expect(await addressOf('/none', '203.0.113.7')).toBe('127.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await addressOf('/other-proxy', '203.0.113.7')).toBe('127.0.0.1');
  });

  it('behind a trusted proxy, the address it says it served', async () => {
    expect(await addressOf('/loopback', '203.0.113.7')).toBe('203.0.113.7');
    expect(await addressOf('/loopback')).toBe('127.0.0.1');
  });

  it('reads right to left past every trusted hop, never reaching what the client wrote', async () => {
    // The client wrote 198.51.100.1 itself; the proxy appended the address it saw.
    expect(await addressOf('/loopback', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    // Two proxies: the inner one (10.0.0.2) is trusted too.
    expect(await addressOf('/loopback-and-private', '198.51.100.1, 203.0.113.7, 10.0.0.2')).toBe(
      '203.0.113.7',
    );
    // The inner one is not trusted here: it is the client as far as this BFF can tell.
    expect(await addressOf('/loopback', '203.0.113.7, 10.0.0.2')).toBe('10.0.0.2');
  });

  it('a hop that is not an IP address names nobody: the last trusted hop answers for it', async () => {
    expect(await addressOf('/loopback', 'not-an-address')).toBe('127.0.0.1');
    expect(await addressOf('/loopback', `203.0.113.7, ${'x'.repeat(4000)}`)).toBe('127.0.0.1');
    expect(await addressOf('/loopback-and-private', 'garbage, 10.0.0.2')).toBe('10.0.0.2');
  });

  it('trusts a number of hops, the peer first, when the proxies have no fixed address', async () => {
    expect(await addressOf('/one-hop', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(await addressOf('/two-hops', '198.51.100.1, 203.0.113.7')).toBe('198.51.100.1');
    // Fewer hops than trusted: the leftmost is all there is.
    expect(await addressOf('/two-hops', '203.0.113.7')).toBe('203.0.113.7');
    expect(await addressOf('/one-hop')).toBe('127.0.0.1');
  });

  it('IPv6 addresses are read as they are written', async () => {
    expect(await addressOf('/loopback', '2001:db8::7')).toBe('2001:db8::7');
  });

  it('drops the port some proxies append, and an IPv6 zone of any length', async () => {
    expect(await addressOf('/loopback', '203.0.113.7:443')).toBe('203.0.113.7');
    expect(await addressOf('/loopback', '[2001:db8::7]:443')).toBe('2001:db8::7');
    expect(await addressOf('/loopback', '[2001:db8::7]')).toBe('2001:db8::7');
    expect(await addressOf('/loopback', 'fe80::1%eth-0')).toBe('fe80::1');
    expect(await addressOf('/loopback', `2001:db8::7%${'a'.repeat(8000)}`)).toBe('2001:db8::7');
    // An inner proxy's own hop with a port is still that trusted proxy.
    expect(await addressOf('/loopback-and-private', '203.0.113.7:5, 10.0.0.9:7')).toBe(
      '203.0.113.7',
    );
  });

  it('with more hops trusted than there are proxies, never returns what is not an address', async () => {
    // The client's own entry is garbage: the nearest trusted hop that is an address answers.
    expect(await addressOf('/two-hops', 'junk, 203.0.113.7')).toBe('203.0.113.7');
    expect(await addressOf('/two-hops', `junk, ${'B'.repeat(8000)}`)).toBe('127.0.0.1');
  });
});

describe('clientAddressFrom, proxies that write Forwarded (RFC 7239)', () => {
  const forwarded = (trust: string, value: string) => addressWith(trust, { forwarded: value });

  it("reads the elements' for= right to left past every trusted hop, as X-Forwarded-For", async () => {
    expect(await forwarded('/forwarded-loopback', 'for=203.0.113.7;proto=https')).toBe(
      '203.0.113.7',
    );
    // What the client wrote itself sits left of what the proxy appended.
    expect(
      await forwarded('/forwarded-loopback', 'for=198.51.100.1, for=203.0.113.7;by=127.0.0.1'),
    ).toBe('203.0.113.7');
    expect(await forwarded('/forwarded-loopback', 'for="[2001:db8::7]:4711"')).toBe('2001:db8::7');
    expect(await forwarded('/forwarded-two-hops', 'for=198.51.100.1, for=203.0.113.7')).toBe(
      '198.51.100.1',
    );
  });

  it('reads only the header its proxies write: the other one, any client can write whole', async () => {
    expect(await addressOf('/forwarded-loopback', '203.0.113.7')).toBe('127.0.0.1');
    expect(await forwarded('/none', 'for=203.0.113.7')).toBe('127.0.0.1');
    expect(await forwarded('/loopback', 'for=203.0.113.7')).toBe('127.0.0.1');
  });

  it('answers an unknown, hidden, empty or missing for=, or an element that does not parse, with a trusted hop', async () => {
    for (const value of ['for=unknown', 'for=_hidden', 'proto=https', 'for="1.2.3.4, 5.6.7.8"']) {
      expect(await forwarded('/forwarded-loopback', value)).toBe('127.0.0.1');
    }
    expect(await forwarded('/forwarded-loopback', `garbage ${'x'.repeat(4000)}`)).toBe('127.0.0.1');
    // What a client wrote cannot spoil what its proxy appended, parse as it may.
    for (const client of ['for="x', ',', 'for=', '']) {
      expect(await forwarded('/forwarded-loopback', `${client}, for=203.0.113.7`)).toBe(
        '203.0.113.7',
      );
    }
    // An empty for= is a hop of its own: the client's entry is not pulled in its place.
    expect(await forwarded('/forwarded-two-hops', 'for=6.6.6.6, for=198.51.100.9, for=""')).toBe(
      '198.51.100.9',
    );
    // An element without for= keeps its place: the hop count still lands on the client's.
    expect(await forwarded('/forwarded-two-hops', 'for=198.51.100.1, proto=https')).toBe(
      '198.51.100.1',
    );
  });
});

describe('TRUSTED_PROXIES', () => {
  it('is a comma list of addresses, ranges and named ranges, or a number of hops; none when unset', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '2' }).trustedProxies).toBe(2);
    expect(loadConfig({ TRUSTED_PROXIES: ' 1 ' }).trustedProxies).toBe(1);
    expect(
      loadConfig({ TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,192.0.2.10, uniquelocal' })
        .trustedProxies,
    ).toEqual(['loopback', '10.0.0.0/8', '192.0.2.10', 'uniquelocal']);
  });

  it('reads X-Forwarded-For unless TRUSTED_PROXY_HEADER names Forwarded', () => {
    expect(loadConfig({}).forwardingHeader).toBe('x-forwarded-for');
    expect(loadConfig({ TRUSTED_PROXY_HEADER: 'forwarded' }).forwardingHeader).toBe('forwarded');
    expect(() => loadConfig({ TRUSTED_PROXY_HEADER: 'x-real-ip' })).toThrow(/TRUSTED_PROXY_HEADER/);
  });

  it('refuses anything else, naming the variable', () => {
    // `11` and `0x0a.1` are IPv4 addresses to proxy-addr: too easily meant otherwise.
    for (const bad of ['proxy.internal', '10.0.0.0/33', 'loopback,*', '11', '0x0a.1', '-1']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
    expect(loadConfig({ TRUSTED_PROXIES: String(MAX_PROXY_HOPS) }).trustedProxies).toBe(10);
  });

  it('is checked where it is used too: a number of hops out of range throws', () => {
    for (const bad of [-1, 1.5, MAX_PROXY_HOPS + 1, Number.NaN]) {
      expect(() => clientAddressFrom(bad)).toThrow(RangeError);
    }
  });
});
