import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { slotKey } from '../../src/stores/redis.js';
import { parseRedisUrl } from '../../src/stores/redis-url.js';

describe('store URLs', () => {
  it('reads one server as ioredis does', () => {
    expect(parseRedisUrl('redis://:pw@10.0.0.5:6380/2')).toEqual({
      topology: 'standalone',
      url: 'redis://:pw@10.0.0.5:6380/2',
    });
    expect(parseRedisUrl('rediss://cache.internal')).toMatchObject({ topology: 'standalone' });
  });

  it('reads a cluster from its seed nodes, IPv6 and default ports included', () => {
    expect(parseRedisUrl('redis+cluster://app:s%40cret@h1:7000,h2:7001,[::1]:7002,h4')).toEqual({
      topology: 'cluster',
      nodes: [
        { host: 'h1', port: 7000 },
        { host: 'h2', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'h4', port: 6379 },
      ],
      username: 'app',
      password: 's@cret',
    });
  });

  it('reads Sentinels and the master they name', () => {
    expect(parseRedisUrl('redis+sentinel://:pw@s1:26379,s2/skyway')).toEqual({
      topology: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'skyway',
      password: 'pw',
    });
  });

  it.each([
    ['redis+sentinel://s1:26379', /names its master/],
    ['redis+cluster://h1:7000/0', /no path/],
    ['redis+cluster://h1:99999', /not a host:port/],
    ['redis+cluster://h1:7000,,h2', /not a host:port/],
    ['memcached://h1', /not a redis:\/\//],
  ])('refuses %s, saying why', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });

  it('is what IDEMPOTENCY_STORE and RATE_LIMIT_STORE accept', () => {
    const config = loadConfig({
      IDEMPOTENCY_STORE: 'redis+cluster://h1:7000,h2:7001',
      RATE_LIMIT_STORE: 'redis+sentinel://s1,s2/skyway',
    });
    expect(config.idempotency.store).toBe('redis+cluster://h1:7000,h2:7001');
    expect(config.rateLimit.store).toBe('redis+sentinel://s1,s2/skyway');
    expect(() => loadConfig({ IDEMPOTENCY_STORE: 'redis+sentinel://s1' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_KEY_PREFIX: 'rate:{x}:' })).toThrow(/hash tag/);
  });
});

describe('key names', () => {
  it("hash-tag the record's or caller's id, so a script's keys share one cluster slot", () => {
    expect(slotKey('skyway:idem:', 'Ab3')).toBe('skyway:idem:{Ab3}');
    expect(slotKey('skyway:idem:', 'Ab3', 'saga')).toBe('skyway:idem:{Ab3}:saga');
    expect(() => slotKey('bad{', 'x')).toThrow(/no \{ or \}/);
  });
});
