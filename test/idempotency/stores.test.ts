import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory-store.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redis-store.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import { begin, describeIdempotencyStore, type IdempotencySubject } from './store-suite.js';

/**
 * One suite (`store-suite.ts`), both stores: the memory store on a hand-set clock, the Redis
 * store against the run's real Redis (`test/setup/redis.ts`).
 */

function memorySubject(maxRecords?: number): IdempotencySubject {
  let now = 1_000_000;
  const store = new MemoryIdempotencyStore(maxRecords, () => now);
  return {
    store,
    pass: async (ms) => {
      now += ms;
    },
  };
}

const PREFIX = `skyway-test:idem:${randomUUID()}:`;
const redisStores: RedisIdempotencyStore[] = [];
function redisSubject(): IdempotencySubject {
  const store = new RedisIdempotencyStore(testRedisUrl(), `${PREFIX}${randomUUID()}:`);
  redisStores.push(store);
  return { store, pass: (ms) => sleep(ms) };
}
afterAll(async () => {
  await Promise.all(redisStores.map((store) => store.close()));
  await deleteKeys(PREFIX);
});

describeIdempotencyStore('memory', () => memorySubject());
describeIdempotencyStore('redis', () => redisSubject());

describe('memory store bound', () => {
  it('drops the oldest records past its size', async () => {
    const { store } = memorySubject(2);
    for (const key of ['k1', 'k2', 'k3']) await begin(store, key, 'a');
    expect(await begin(store, 'k1', 'b')).toEqual({ status: 'acquired', steps: {} });
    expect(await begin(store, 'k3', 'b')).toEqual({ status: 'in-flight' });
  });
});

describe('redis store without Redis', () => {
  it('fails its calls instead of hanging or crashing', async () => {
    const store = new RedisIdempotencyStore('redis://127.0.0.1:1', 'x:');
    await expect(begin(store, 'k', 'a')).rejects.toThrow();
    expect(await store.ping()).toBe(false);
    await store.close();
  });
});
