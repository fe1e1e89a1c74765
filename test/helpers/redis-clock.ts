import { Cluster, type Redis } from 'ioredis';
import { closeRedis, connectRedis, type SharedRedis } from '../../src/stores/redis.js';

/**
 * A hand-set clock for a Redis store, so a suite advances time instead of waiting for it. The
 * store takes `now` into its scripts instead of Redis's TIME; `pass(ms)` moves `now` and ages
 * every key under `prefix` by as much (their TTLs shortened, the spent ones deleted), so keys
 * expire when the clock says, as they would had the time really passed. Real time still
 * ages them too: suites keep TTLs of seconds, far above a call's few milliseconds.
 */
export interface RedisTestClock {
  now: () => number;
  pass(ms: number): Promise<void>;
  close(): Promise<void>;
}

export function redisTestClock(url: string, prefix: string): RedisTestClock {
  let now = Date.now();
  let redis: SharedRedis | undefined;

  async function masters(): Promise<Redis[]> {
    redis ??= connectRedis(url, 5_000);
    await redis.ping(); // a cluster knows its masters once connected
    return redis instanceof Cluster ? redis.nodes('master') : [redis];
  }

  async function age(node: Redis, ms: number): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      for (const key of keys) {
        const ttl = await node.pttl(key);
        if (ttl < 0) continue; // no expiry (or gone meanwhile)
        if (ttl <= ms) await node.del(key);
        else await node.pexpire(key, ttl - ms);
      }
      cursor = next;
    } while (cursor !== '0');
  }

  return {
    now: () => now,
    async pass(ms) {
      now += ms;
      for (const node of await masters()) await age(node, ms);
    },
    async close() {
      if (redis !== undefined) await closeRedis(redis);
    },
  };
}
