import type { BucketOptions, Decision } from './bucket.js';

/** Where callers' buckets live: one process's memory, or Redis shared by every BFF instance. */
export interface RateLimitStore {
  readonly options: BucketOptions;
  /** Takes `cost` points from `key`'s bucket if it holds them, as one atomic step. */
  take(key: string, cost: number): Promise<Decision>;
  /** Gives `points` back to `key`'s bucket, up to capacity; resolves to the points available. */
  refund(key: string, points: number): Promise<number>;
  close(): Promise<void>;
}
