import { type Bucket, type BucketOptions, type Decision, refund, take } from './bucket.js';
import type { RateLimitStore } from './store.js';

/**
 * Buckets in this process's memory: right for one instance (several instances would each
 * give a caller a full budget). Full buckets are forgotten, so the map holds only callers that
 * spent something recently, and at most `maxKeys` of them, the least recently used dropped.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly options: BucketOptions,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string, cost: number): Promise<Decision> {
    const { bucket, decision } = take(this.#buckets.get(key), cost, this.now(), this.options);
    // Re-inserted so the map's order is least recently used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.maxKeys) this.#evict();
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

  /**
   * Drops buckets that have refilled, then the least recently used down to 90 % of the
   * maximum, so the sweep runs once per many new callers, not on every one.
   */
  #evict(): void {
    const nowMs = this.now();
    for (const [key, bucket] of this.#buckets) {
      const full =
        bucket.available + ((nowMs - bucket.atMs) * this.options.restorePerS) / 1000 >=
        this.options.capacity;
      if (full) this.#buckets.delete(key);
    }
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.maxKeys * 0.9) break;
      this.#buckets.delete(key);
    }
  }

  async close(): Promise<void> {
    this.#buckets.clear();
  }
}
