import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The run's Redis (`test/setup/redis.ts`): this run's own redis-server, or REDIS_URL's. */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/**
 * Deletes every key under `prefix` from the run's Redis, so a run against a shared REDIS_URL
 * leaves none of its records (which live 24 h) behind.
 */
export async function deleteKeys(prefix: string, url = testRedisUrl()): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
