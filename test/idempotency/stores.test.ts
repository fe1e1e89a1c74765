import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory-store.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redis-store.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import { type RedisTestClock, redisTestClock } from '../helpers/redis-clock.js';
import { begin, describeIdempotencyStore, type IdempotencySubject } from './store-suite.js';

/**
 * One suite (`store-suite.ts`), both stores, each on a hand-set clock: the memory store, and
 * the Redis store against the run's real Redis (`test/setup/redis.ts`).
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
const clocks: RedisTestClock[] = [];
function redisSubject(): IdempotencySubject {
  const prefix = `${PREFIX}${randomUUID()}:`;
  const clock = redisTestClock(testRedisUrl(), prefix);
  const store = new RedisIdempotencyStore(testRedisUrl(), prefix, clock.now);
  redisStores.push(store);
  clocks.push(clock);
  return { store, pass: (ms) => clock.pass(ms) };
}
afterAll(async () => {
  await Promise.all([...redisStores, ...clocks].map((closable) => closable.close()));
  await deleteKeys(PREFIX);
});

describeIdempotencyStore('memory', () => memorySubject());
describeIdempotencyStore('redis', () => redisSubject());

describe('memory store bound', () => {
  it('drops the least recently used records past its size', async () => {
    const { store } = memorySubject(2);
    for (const key of ['k1', 'k2', 'k3']) await begin(store, key, 'a');
    expect(await begin(store, 'k1', 'b')).toEqual({
      status: 'acquired',
      steps: {},
      takenOver: false,
    });
    expect(await begin(store, 'k3', 'b')).toEqual({ status: 'in-flight' });
  });

  it('keeps a record in use over an older one, and the completer finds only the records kept', async () => {
    const { store, pass } = memorySubject(2);
    await begin(store, 'k1', 'a');
    await begin(store, 'k2', 'a');
    expect(await store.saveStep('k1', 'a', 'authorize', 'chg_1', 150)).toBe(true); // k1 in use
    await begin(store, 'k3', 'a'); // k2 goes
    expect(await begin(store, 'k1', 'b')).toEqual({ status: 'in-flight' });
    expect(await begin(store, 'k2', 'b')).toEqual({
      status: 'acquired',
      steps: {},
      takenOver: false,
    }); // k3 goes
    await pass(200); // past their leases, within their retention
    const claimed = await store.claimExpired({ owner: 'c', leaseMs: 1_000, idleMs: 0, limit: 10 });
    expect(claimed.map(({ key }) => key).sort()).toEqual(['k1', 'k2']);
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
