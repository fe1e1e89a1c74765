import { describe, expect, it } from 'vitest';
import type { BucketOptions } from '../../src/rate-limit/bucket.js';
import type { RateLimitStore } from '../../src/rate-limit/store.js';
import { closeRedis, type SharedRedis, slotKey } from '../../src/stores/redis.js';

/**
 * What every rate-limit store must do, run against each: the memory store on a hand-set clock
 * (`stores.test.ts`), and the Redis store on one server, on a cluster and behind Sentinel
 * (`test/stores/`), on Redis's clock (so its numbers carry a few milliseconds of restore, and
 * its waits are real, short ones). Buckets of 10 points restoring 100 per second.
 */

export const OPTIONS: BucketOptions = { capacity: 10, restorePerS: 100 };

export interface RateLimitSubject {
  store: RateLimitStore;
  /** Lets `ms` pass for the store. */
  pass(ms: number): Promise<void>;
  /** How far from the exact arithmetic the store may be (real time passes under Redis). */
  slack: number;
}

export function describeRateLimitStore(
  name: string,
  subject: (options?: BucketOptions) => RateLimitSubject,
): void {
  describe(`${name} rate-limit store`, () => {
    it('gives a new caller its whole capacity', async () => {
      const { store } = subject();
      expect(await store.take('caller', 10)).toMatchObject({ allowed: true, retryAfterS: 0 });
    });

    it('refuses the operation that crosses the budget and says when to come back', async () => {
      const { store, slack } = subject();
      const first = await store.take('caller', 6);
      expect(first.allowed).toBe(true);
      expect(first.available).toBeCloseTo(4, 0);
      const second = await store.take('caller', 6);
      expect(second.allowed).toBe(false);
      // 2 points missing at 100 per second: 20 ms.
      expect(second.retryAfterS).toBeGreaterThan(0);
      expect(second.retryAfterS).toBeLessThanOrEqual(0.02);
      expect(second.retryAfterS).toBeGreaterThanOrEqual(0.02 - slack / 100);
    });

    it('lets the caller back in after the advertised time', async () => {
      const { store, pass } = subject();
      await store.take('caller', 10);
      const refused = await store.take('caller', 5);
      expect(refused.allowed).toBe(false);
      await pass(refused.retryAfterS * 1000);
      expect((await store.take('caller', 5)).allowed).toBe(true);
    });

    it('takes nothing for a refused operation', async () => {
      const { store, pass } = subject();
      await store.take('caller', 8);
      expect((await store.take('caller', 5)).allowed).toBe(false);
      expect((await store.take('caller', 5)).allowed).toBe(false);
      await pass(30);
      // 2 + 3 restored: the two refusals took nothing.
      expect((await store.take('caller', 5)).allowed).toBe(true);
    });

    it('restores no more than the capacity', async () => {
      const { store, pass } = subject();
      await store.take('caller', 10);
      await pass(200); // 20 points' worth of time
      expect((await store.take('caller', 10)).allowed).toBe(true);
      expect((await store.take('caller', 5)).allowed).toBe(false);
    });

    it('keeps callers apart', async () => {
      const { store } = subject();
      await store.take('spender', 10);
      expect((await store.take('spender', 5)).allowed).toBe(false);
      expect((await store.take('saver', 10)).allowed).toBe(true);
    });

    it('charges an operation above the capacity as the capacity, so it can pass once', async () => {
      const { store } = subject();
      expect((await store.take('caller', 50)).allowed).toBe(true);
      expect((await store.take('caller', 1)).allowed).toBe(false);
    });

    it('gives back what an operation did not spend, never above the capacity', async () => {
      const { store } = subject({ capacity: 10, restorePerS: 0.001 });
      await store.take('caller', 8);
      expect(await store.refund('caller', 5)).toBeCloseTo(7, 1);
      expect((await store.take('caller', 7)).allowed).toBe(true);
      expect(await store.refund('caller', 50)).toBeCloseTo(10, 1);
      // A caller it has no bucket for is full: nothing to give back, nothing made up.
      expect(await store.refund('stranger', 5)).toBe(10);
      expect((await store.take('stranger', 10)).allowed).toBe(true);
      expect((await store.take('stranger', 1)).allowed).toBe(false);
    });

    it('lets exactly the budget through when requests race', async () => {
      // Restores one point a thousand seconds: nothing comes back during the race.
      const { store } = subject({ capacity: 10, restorePerS: 0.001 });
      const decisions = await Promise.all(
        Array.from({ length: 25 }, () => store.take('caller', 1)),
      );
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    });
  });
}

/** What only a shared store does, given two stores on one Redis prefix and a raw connection. */
export function describeSharedRateLimitStore(
  name: string,
  storesOnOnePrefix: () => { a: RateLimitStore; b: RateLimitStore; prefix: string },
  connect: () => SharedRedis,
): void {
  describe(`${name} rate-limit store, shared`, () => {
    it('shares one budget between instances', async () => {
      const { a, b } = storesOnOnePrefix();
      expect((await a.take('caller', 6)).allowed).toBe(true);
      expect((await b.take('caller', 6)).allowed).toBe(false);
      expect((await b.take('caller', 4)).allowed).toBe(true);
      expect((await a.take('caller', 4)).allowed).toBe(false);
    });

    it('lets a bucket expire once it would be full again', async () => {
      const { a: store, prefix } = storesOnOnePrefix();
      await store.take('caller', 10);
      const redis = connect();
      try {
        const ttl = await redis.pttl(slotKey(prefix, 'caller'));
        // 10 points at 100 per second: full in 100 ms, kept a second beyond.
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(1100);
      } finally {
        await closeRedis(redis);
      }
    });
  });
}
