import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { BucketOptions } from '../../src/rate-limit/bucket.js';
import { MemoryRateLimitStore } from '../../src/rate-limit/memory-store.js';
import { RedisRateLimitStore } from '../../src/rate-limit/redis-store.js';
import type { RateLimitStore } from '../../src/rate-limit/store.js';
import { connectRedis } from '../../src/stores/redis.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import { type RedisTestClock, redisTestClock } from '../helpers/redis-clock.js';
import { BUCKET_CASES, STRANGER_REFUND } from './bucket-cases.js';
import {
  describeRateLimitStore,
  describeSharedRateLimitStore,
  OPTIONS,
  type RateLimitSubject,
} from './store-suite.js';

/**
 * One suite (`store-suite.ts`), both stores, each on a hand-set clock: the memory store, and
 * the Redis store against the run's real Redis (`test/setup/redis.ts`). Then the bucket's
 * cases (`bucket-cases.ts`) on both, which holds the Redis scripts to `bucket.ts`.
 */

const PREFIX = `skyway-test:rate:${randomUUID()}:`;

function memorySubject(options = OPTIONS): RateLimitSubject {
  let now = 1_000_000;
  const store = new MemoryRateLimitStore(options, 1000, () => now);
  const pass = async (ms: number) => {
    now += ms;
  };
  return { store, pass };
}

const redisStores: RedisRateLimitStore[] = [];
const clocks: RedisTestClock[] = [];
function redisStore(
  options = OPTIONS,
  prefix = `${PREFIX}${randomUUID()}:`,
  clock?: () => number,
): RedisRateLimitStore {
  const store = new RedisRateLimitStore(testRedisUrl(), options, prefix, clock);
  redisStores.push(store);
  return store;
}
function redisSubject(options = OPTIONS): RateLimitSubject {
  const prefix = `${PREFIX}${randomUUID()}:`;
  const clock = redisTestClock(testRedisUrl(), prefix);
  clocks.push(clock);
  return { store: redisStore(options, prefix, clock.now), pass: (ms) => clock.pass(ms) };
}

afterAll(async () => {
  await Promise.all([...redisStores, ...clocks].map((closable) => closable.close()));
  await deleteKeys(PREFIX);
});

describeRateLimitStore('memory', memorySubject);
describeRateLimitStore('redis', redisSubject);
// On Redis's own clock, as in production.
describeSharedRateLimitStore(
  'redis',
  () => {
    const prefix = `${PREFIX}${randomUUID()}:`;
    return { a: redisStore(OPTIONS, prefix), b: redisStore(OPTIONS, prefix), prefix };
  },
  () => connectRedis(testRedisUrl(), 1_000),
);

const bucketStores: Record<string, (options: BucketOptions, now: () => number) => RateLimitStore> =
  {
    memory: (options, now) => new MemoryRateLimitStore(options, 1000, now),
    redis: (options, now) => redisStore(options, `${PREFIX}${randomUUID()}:`, now),
  };

for (const [name, storeOn] of Object.entries(bucketStores)) {
  describe(`${name} rate-limit store on the bucket's cases`, () => {
    for (const { name: behaviour, options, steps } of BUCKET_CASES) {
      it(behaviour, async () => {
        let now = 1_000_000;
        const store = storeOn(options, () => now);
        for (const step of steps) {
          now = 1_000_000 + step.atMs;
          if ('take' in step) expect(await store.take('caller', step.take)).toEqual(step.answer);
          else expect(await store.refund('caller', step.refund)).toEqual(step.answer);
        }
      });
    }

    it('holds a stranger full, so a refund makes up nothing', async () => {
      const { options, points, answer } = STRANGER_REFUND;
      const store = storeOn(options, () => 1_000_000);
      expect(await store.refund('stranger', points)).toBe(answer);
    });
  });
}

describe('memory rate-limit store bound', () => {
  it('forgets the least recently used caller past its size, who comes back full', async () => {
    const store = new MemoryRateLimitStore(OPTIONS, 2, () => 1_000_000);
    await store.take('a', 10);
    await store.take('b', 10);
    expect((await store.take('a', 1)).allowed).toBe(false); // a is now the most recent
    await store.take('c', 10); // b goes
    expect((await store.take('a', 1)).allowed).toBe(false);
    expect(await store.take('b', 10)).toEqual({ allowed: true, available: 0, retryAfterS: 0 });
  });
});

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
