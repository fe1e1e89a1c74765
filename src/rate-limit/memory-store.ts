import { LRUCache } from 'lru-cache';
import { type Bucket, type BucketOptions, type Decision, refund, take } from './bucket.js';
import type { RateLimitStore } from './store.js';

/**
 * Buckets in this process's memory: right for one instance (several instances would each
 * give a caller a full budget). At most `maxKeys` callers are kept (lru-cache), the least
 * recently used dropped first: a caller untouched while that many others came is almost
 * surely full again, and a forgotten bucket is a full one (`bucket.ts`'s `restore`), so
 * dropping it gives nothing away that time had not already given back.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets: LRUCache<string, Bucket>;

  constructor(
    readonly options: BucketOptions,
    maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.#buckets = new LRUCache<string, Bucket>({ max: maxKeys });
  }

  async take(key: string, cost: number): Promise<Decision> {
    const { bucket, decision } = take(this.#buckets.get(key), cost, this.now(), this.options);
    this.#buckets.set(key, bucket);
    return decision;
  }

  async refund(key: string, points: number): Promise<number> {
    const bucket = this.#buckets.get(key);
    // A forgotten bucket is a full one: nothing to give back.
    if (bucket === undefined) return this.options.capacity;
    const refunded = refund(bucket, points, this.now(), this.options);
    this.#buckets.set(key, refunded);
    return refunded.available;
  }

  async close(): Promise<void> {
    this.#buckets.clear();
  }
}
