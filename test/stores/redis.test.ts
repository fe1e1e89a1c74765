import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeRedis, connectRedis } from '../../src/stores/redis.js';
import { type RedisTopology, startRedisSentinel } from '../helpers/redis-topology.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The one way the BFF connects to Redis (`src/stores/redis.ts`): a connection ends only when
 * `closeRedis` ends it. (Deadlines, retries and failovers under traffic are in
 * `topology-suite.ts`, through BFF processes.)
 */

describe('a connection to the master Sentinels name', () => {
  let topology: RedisTopology;
  beforeAll(async () => {
    topology = await startRedisSentinel();
  }, 60_000);
  afterAll(() => topology?.stop());

  it('that ioredis ends in the middle of a failover connects again to the new master', async () => {
    const redis = connectRedis(topology.url, 1_000) as Redis;
    try {
      await redis.set('skyway-test:revive', '1');
      // What ioredis's failover detector does when the Sentinels announce +switch-master. If
      // that lands while the connection is already reconnecting, ioredis gives the connection
      // up for good ("Connection is closed.", status end): the race cannot be timed from
      // outside, so the notice is delivered here at the moment it does harm, the first time
      // the connection is seen connecting again (events, not polls: on a busy machine a
      // connecting phase can be shorter than any polling interval).
      const connector = (redis as unknown as { connector: { disconnect(): void } }).connector;
      const ended = new Promise((resolve) => redis.once('end', resolve));
      const interrupted = new Promise<void>((resolve) => {
        const onConnecting = () => {
          if (redis.status !== 'connecting') return;
          redis.off('connecting', onConnecting);
          connector.disconnect();
          resolve();
        };
        redis.on('connecting', onConnecting);
      });
      await topology.killMasterOf('skyway-test:revive');
      await interrupted;
      await ended;
      await topology.healed();
      await waitFor(async () => redis.status === 'ready');
      expect(await redis.set('skyway-test:revive', '2')).toBe('OK');
    } finally {
      await closeRedis(redis);
    }
  }, 60_000);

  it('stays closed once closeRedis closed it', async () => {
    const redis = connectRedis(topology.url, 1_000);
    await waitFor(async () => redis.status === 'ready');
    const ended = new Promise((resolve) => redis.once('end', resolve));
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      await closeRedis(redis);
      await ended;
      vi.advanceTimersByTime(10_000);
      expect(redis.status).toBe('end');
    } finally {
      vi.useRealTimers();
    }
  });
});
