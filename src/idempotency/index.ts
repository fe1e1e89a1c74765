import { MemoryIdempotencyStore } from './memory-store.js';
import { RedisIdempotencyStore } from './redis-store.js';
import type { IdempotencyStore } from './store.js';

export interface IdempotencyStoreConfig {
  /** `memory`, or a Redis URL shared by every BFF instance (`src/stores/redis-url.ts`). */
  store: string;
  maxRecords: number;
  keyPrefix: string;
}

/** `redisClock`, for tests only, replaces Redis's clock (see `RedisIdempotencyStore`). */
export function createIdempotencyStore(
  config: IdempotencyStoreConfig,
  redisClock?: () => number,
): IdempotencyStore {
  return config.store === 'memory'
    ? new MemoryIdempotencyStore(config.maxRecords)
    : new RedisIdempotencyStore(config.store, config.keyPrefix, redisClock);
}

export {
  type IdempotencyOptions,
  IdempotentMutations,
  type Outcome,
  type Steps,
} from './idempotent-mutations.js';
export type { IdempotencyStore } from './store.js';
