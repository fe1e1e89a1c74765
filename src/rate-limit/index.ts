import type { BucketOptions } from './bucket.js';
import { MemoryRateLimitStore } from './memory-store.js';
import { RedisRateLimitStore } from './redis-store.js';
import type { RateLimitStore } from './store.js';
import { type StoreAvailability, withCooldown } from './store-cooldown.js';

export interface RateLimitConfig extends BucketOptions {
  /** `off`, `memory` (one instance), or a Redis URL shared by every BFF instance (`src/stores/redis-url.ts`). */
  store: string;
  keyPrefix: string;
}

export interface RateLimitStoreOptions {
  /** Told when a Redis store stops answering and when it answers again (`store-cooldown.ts`). */
  availability?: StoreAvailability;
  /** For tests only: replaces Redis's clock (see `RedisRateLimitStore`). */
  redisClock?: () => number;
}

/**
 * The configured store, or null when rate limiting is off. A Redis store is left alone for a
 * cooldown after it fails (`store-cooldown.ts`); the memory store cannot fail, so it is not
 * wrapped (each request would pay the breaker's bookkeeping for nothing).
 */
export function createRateLimitStore(
  config: RateLimitConfig,
  { availability, redisClock }: RateLimitStoreOptions = {},
): RateLimitStore | null {
  const options = { capacity: config.capacity, restorePerS: config.restorePerS };
  if (config.store === 'off') return null;
  if (config.store === 'memory') return new MemoryRateLimitStore(options);
  return withCooldown(
    new RedisRateLimitStore(config.store, options, config.keyPrefix, redisClock),
    availability,
  );
}

export type { BucketOptions, Decision } from './bucket.js';
export type { RateLimitStore } from './store.js';
