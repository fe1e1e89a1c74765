import type { BucketOptions } from './bucket.js';
import { MemoryRateLimitStore } from './memory-store.js';
import { RedisRateLimitStore } from './redis-store.js';
import type { RateLimitStore } from './store.js';

export interface RateLimitConfig extends BucketOptions {
  /** `off`, `memory` (one instance), or a Redis URL shared by every BFF instance (`src/stores/redis-url.ts`). */
  store: string;
  keyPrefix: string;
}

/** The configured store, or null when rate limiting is off. */
export function createRateLimitStore(config: RateLimitConfig): RateLimitStore | null {
  const options = { capacity: config.capacity, restorePerS: config.restorePerS };
  if (config.store === 'off') return null;
  if (config.store === 'memory') return new MemoryRateLimitStore(options);
  return new RedisRateLimitStore(config.store, options, config.keyPrefix);
}

export type { BucketOptions, Decision } from './bucket.js';
export type { RateLimitStore } from './store.js';
