import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory-store.js';
import { RedisIdempotencyStore } from '../../src/idempotency/redis-store.js';
import { IdempotencyStoreFullError } from '../../src/idempotency/store.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import { type RedisTestClock, redisTestClock } from '../helpers/redis-clock.js';
import { startRedisServer } from '../helpers/redis-server.js';
import {
  begin,
  describeIdempotencyStore,
  type IdempotencySubject,
  LEASE,
  RETENTION,
} from './store-suite.js';

/**
 * One suite (`store-suite.ts`), both stores, each on a hand-set clock: the memory store, and
 * the Redis store against the run's real Redis (`test/setup/redis.ts`).
 */

function memorySubject(maxRecords?: number): IdempotencySubject & {
  store: MemoryIdempotencyStore;
} {
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
  const KEEP = 60_000;
  const done = (store: MemoryIdempotencyStore, key: string) =>
    store.complete(key, 'a', { kind: 'result', value: { id: key } }, KEEP);
  const forgotten = { status: 'acquired', steps: {}, takenOver: false };

  it('makes room from completed records, the least recently used first', async () => {
    const { store } = memorySubject(3);
    for (const key of ['k1', 'k2', 'k3']) {
      await begin(store, key, 'a', 'fp-1', KEEP);
      await done(store, key);
    }
    // A replay uses k1: k2 is now the least recently used.
    expect(await begin(store, 'k1', 'b')).toMatchObject({ status: 'completed' });
    await begin(store, 'k4', 'a', 'fp-1', KEEP); // k2 goes
    expect(store.size).toBe(3);
    expect(await begin(store, 'k1', 'b')).toMatchObject({ status: 'completed' });
    expect(await begin(store, 'k3', 'b')).toMatchObject({ status: 'completed' });
    expect(await begin(store, 'k2', 'b', 'fp-2')).toEqual(forgotten); // k4 stays: started
    expect(await begin(store, 'k4', 'b')).toEqual({ status: 'in-flight' });
  });

  it('never drops a started record to make room, however long unused: a completed one goes', async () => {
    const { store } = memorySubject(3);
    await begin(store, 'paying', 'a', 'fp-1', KEEP); // the least recently used of all
    await store.saveStep('paying', 'a', 'authorize', 'chg_1', LEASE);
    await store.release('paying', 'a'); // an outage: its client is told an error
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      await begin(store, key, 'a', 'fp-1', KEEP);
      await done(store, key);
    }
    expect(store.size).toBe(3);
    expect(await begin(store, 'paying', 'b')).toEqual({
      status: 'acquired',
      steps: { authorize: 'chg_1' },
      takenOver: true,
    });
  });

  it('full of started records, refuses a new one and keeps every record it has', async () => {
    const { store } = memorySubject(2);
    await begin(store, 'k1', 'a', 'fp-1', KEEP);
    await begin(store, 'k2', 'a', 'fp-1', KEEP);
    await expect(begin(store, 'k3', 'a')).rejects.toBeInstanceOf(IdempotencyStoreFullError);
    expect(store.size).toBe(2);
    // The records it has still answer, and their mutations still finish.
    expect(await begin(store, 'k1', 'b')).toEqual({ status: 'in-flight' });
    expect(await store.saveStep('k2', 'a', 'authorize', 'chg_2', LEASE)).toBe(true);
    expect(await store.complete('k1', 'a', { kind: 'result', value: {} }, KEEP)).toBe(true);
    // Once one completed, a new record takes its room.
    expect(await begin(store, 'k3', 'a')).toEqual(forgotten);
    expect(store.size).toBe(2);
    expect(await begin(store, 'k2', 'b')).toEqual({ status: 'in-flight' });
  });

  it('lets a started record go at the end of its retention, as Redis expires it', async () => {
    const { store, pass } = memorySubject(1);
    await begin(store, 'k1', 'a');
    await expect(begin(store, 'k2', 'a')).rejects.toBeInstanceOf(IdempotencyStoreFullError);
    await pass(RETENTION);
    expect(await begin(store, 'k2', 'a')).toEqual(forgotten);
    expect(store.size).toBe(1);
  });

  it('hands an abandoned record to the completer after many more mutations than it holds', async () => {
    const { store, pass } = memorySubject(20);
    await begin(store, 'paying', 'a', 'fp-1', KEEP);
    await store.saveStep('paying', 'a', 'authorize', 'chg_1', LEASE);
    await store.saveStep('paying', 'a', 'link', 'linked', LEASE);
    await store.release('paying', 'a');
    for (let i = 0; i < 25; i += 1) {
      await begin(store, `other-${i}`, 'a', 'fp-1', KEEP);
      await done(store, `other-${i}`);
    }
    expect(store.size).toBe(20);
    await pass(LEASE);
    const claimed = await store.claimExpired({ owner: 'c', leaseMs: 1_000, idleMs: 0, limit: 10 });
    expect(claimed).toEqual([
      {
        key: 'paying',
        resume: 'resume-paying',
        steps: { authorize: 'chg_1', link: 'linked' },
        attempts: 1,
      },
    ]);
  });
});

describe('redis store at its maxmemory', () => {
  it('refuses a new record as a full store (the noeviction policy)', async () => {
    const server = await startRedisServer(['--maxmemory', '1', '--maxmemory-policy', 'noeviction']);
    const store = new RedisIdempotencyStore(server.url, 'x:');
    try {
      await expect(begin(store, 'k', 'a')).rejects.toBeInstanceOf(IdempotencyStoreFullError);
    } finally {
      await store.close();
      await server.kill();
    }
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
