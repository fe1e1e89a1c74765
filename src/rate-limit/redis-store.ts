import { closeRedis, connectRedis, type SharedRedis, slotKey } from '../stores/redis.js';
import { type BucketOptions, type Decision, retryAfterS } from './bucket.js';
import type { RateLimitStore } from './store.js';

/**
 * Buckets in Redis, so every BFF instance draws on one budget per caller. Restoring and taking
 * are one Lua script, run atomically by Redis: two instances cannot both spend the same points.
 * The clock is Redis's own, so instances with skewed clocks agree; a test may pass its own
 * (`clock`), which the scripts then take as their last argument instead of reading TIME. A
 * bucket expires once it would be full again, so idle callers cost no memory.
 *
 * The scripts are the one restatement of `bucket.ts`'s arithmetic (a script cannot call
 * TypeScript, and a take must be one atomic step on the server): RESTORE is `restore`, TAKE's
 * charge is `take`'s, REFUND's is `refund`'s, step for step. `test/rate-limit/bucket-cases.ts`
 * holds the cases both must answer alike; `bucket.test.ts` runs them on `bucket.ts`, and
 * `stores.test.ts` on these scripts.
 *
 * Fields: available (points), at (ms epoch of the last change). Key: `slotKey(prefix, caller)`,
 * i.e. `<prefix>{<caller>}`, so the bucket works on a cluster like any other key.
 */

// ARGV[4], when given, is the test's clock (ms epoch); production reads Redis's.
const NOW = `local now
if ARGV[4] then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end`;

// bucket.ts's restore: what has come back since 'at', up to capacity; a clock gone
// backwards restores nothing. Needs: now, capacity, perMs, available, at.
const RESTORE = `if now > at then
  available = math.min(capacity, available + (now - at) * perMs)
  at = now
end`;

// Kept until it would be full again, and a second beyond.
const SAVE = `redis.call('HSET', KEYS[1], 'available', tostring(available), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - available) / perMs) + 1000)`;

// KEYS: bucket. ARGV: capacity, restorePerS, cost[, now].
const TAKE = `${NOW}
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local cost = math.min(tonumber(ARGV[3]), capacity)
local available = tonumber(redis.call('HGET', KEYS[1], 'available'))
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if available == nil or at == nil then
  available = capacity
  at = now
end
${RESTORE}
local allowed = 0
if available >= cost then
  available = available - cost
  allowed = 1
end
${SAVE}
return {allowed, tostring(available)}`;

// KEYS: bucket. ARGV: capacity, restorePerS, points[, now]. A bucket that expired is full.
const REFUND = `${NOW}
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local points = math.max(0, tonumber(ARGV[3]))
local available = tonumber(redis.call('HGET', KEYS[1], 'available'))
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if available == nil or at == nil then
  return tostring(capacity)
end
${RESTORE}
available = math.min(capacity, available + points)
${SAVE}
return tostring(available)`;

export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: SharedRedis;

  constructor(
    url: string,
    readonly options: BucketOptions,
    /** Prefix of every key this store writes. */
    private readonly prefix = 'skyway:rate:',
    /** For tests only: a clock to use instead of Redis's own (ms epoch). */
    private readonly clock?: () => number,
  ) {
    // A request waits at most 250ms for Redis; past it the limiter lets the request through
    // (see useRateLimit) rather than making Redis a single point of failure.
    this.#redis = connectRedis(url, 250);
  }

  async take(key: string, cost: number): Promise<Decision> {
    const [allowed, availableText] = (await this.#redis.eval(
      TAKE,
      1,
      slotKey(this.prefix, key),
      this.options.capacity,
      this.options.restorePerS,
      cost,
      ...this.#now(),
    )) as [number, string];
    const available = Number(availableText);
    return allowed === 1
      ? { allowed: true, available, retryAfterS: 0 }
      : {
          allowed: false,
          available,
          retryAfterS: retryAfterS(Math.min(cost, this.options.capacity) - available, this.options),
        };
  }

  async refund(key: string, points: number): Promise<number> {
    const available = (await this.#redis.eval(
      REFUND,
      1,
      slotKey(this.prefix, key),
      this.options.capacity,
      this.options.restorePerS,
      points,
      ...this.#now(),
    )) as string;
    return Number(available);
  }

  /** The test's clock as the scripts' last argument; none, so they read Redis's. */
  #now(): [] | [number] {
    return this.clock === undefined ? [] : [this.clock()];
  }

  async close(): Promise<void> {
    await closeRedis(this.#redis);
  }
}
