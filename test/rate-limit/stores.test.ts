import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../src/rate-limit/memory-store.js';
import { RedisRateLimitStore } from '../../src/rate-limit/redis-store.js';
import { connectRedis } from '../../src/stores/redis.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import {
  describeRateLimitStore,
  describeSharedRateLimitStore,
  OPTIONS,
  type RateLimitSubject,
} from './store-suite.js';

/**
 * One suite (`store-suite.ts`), both stores: the memory store on a hand-set clock, the Redis
 * store against the run's real Redis (`test/setup/redis.ts`).
 */

const PREFIX = `skyway-test:rate:${randomUUID()}:`;

function memorySubject(options = OPTIONS): RateLimitSubject {
  let now = 1_000_000;
  const store = new MemoryRateLimitStore(options, 1000, () => now);
  const pass = async (ms: number) => {
    now += ms;
  };
  return { store, pass, slack: 0 };
}

const redisStores: RedisRateLimitStore[] = [];
function redisStore(options = OPTIONS, prefix = `${PREFIX}${randomUUID()}:`) {
  const store = new RedisRateLimitStore(testRedisUrl(), options, prefix);
  redisStores.push(store);
  return store;
}

afterAll(async () => {
  await Promise.all(redisStores.map((store) => store.close()));
  await deleteKeys(PREFIX);
});

describeRateLimitStore('memory', memorySubject);
describeRateLimitStore('redis', (options) => ({
  store: redisStore(options),
  pass: (ms) => sleep(ms),
  slack: 0.5,
}));
describeSharedRateLimitStore(
  'redis',
  () => {
    const prefix = `${PREFIX}${randomUUID()}:`;
    return { a: redisStore(OPTIONS, prefix), b: redisStore(OPTIONS, prefix), prefix };
  },
  () => connectRedis(testRedisUrl(), 1_000),
);

describe('redis rate-limit store without Redis', () => {
  it('fails the take when Redis cannot be reached, without hanging', async () => {
    const store = new RedisRateLimitStore('redis://127.0.0.1:1', OPTIONS, PREFIX);
    try {
      await expect(store.take('caller', 1)).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
