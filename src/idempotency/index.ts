import { MemoryIdempotencyStore } from './memory-store.js';
import { RedisIdempotencyStore } from './redis-store.js';
import type { IdempotencyStore } from './store.js';

export interface IdempotencyStoreConfig {
  /** `memory`, or a Redis URL shared by every BFF instance (`src/stores/redis-url.ts`). */
  store: string;
  maxRecords: number;
  keyPrefix: string;
}

export function createIdempotencyStore(config: IdempotencyStoreConfig): IdempotencyStore {
  return config.store === 'memory'
    ? new MemoryIdempotencyStore(config.maxRecords)
    : new RedisIdempotencyStore(config.store, config.keyPrefix);
}

export {
  type IdempotencyOptions,
  IdempotentMutations,
  type Outcome,
  type Steps,
} from './idempotent-mutations.js';
export type { IdempotencyStore } from './store.js';
