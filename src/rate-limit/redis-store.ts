import { closeRedis, connectRedis, type SharedRedis, slotKey } from '../stores/redis.js';
import { type BucketOptions, type Decision, retryAfterS } from './bucket.js';
import type { RateLimitStore } from './store.js';

/**
 * Buckets in Redis, so every BFF instance draws on one budget per caller. Restoring and taking
 * are one Lua script (`bucket.ts`'s steps), run atomically by Redis: two instances cannot both
 * spend the same points. The clock is Redis's own, so instances with skewed clocks agree. A
 * bucket expires once it would be full again, so idle callers cost no memory.
 *
 * Fields: available (points), at (ms epoch of the last change). Key: `slotKey(prefix, caller)`,
 * i.e. `<prefix>{<caller>}`, so the bucket works on a cluster like any other key.
 */

const TAKE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local cost = math.min(tonumber(ARGV[3]), capacity)
local available = tonumber(redis.call('HGET', KEYS[1], 'available'))
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if available == nil or at == nil then
  available = capacity
  at = now
end
if now > at then
  available = math.min(capacity, available + (now - at) * perMs)
  at = now
end
local allowed = 0
if available >= cost then
  available = available - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'available', tostring(available), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - available) / perMs) + 1000)
return {allowed, tostring(available)}`;

/** `bucket.ts`'s refund, the same steps as TAKE's restore; a bucket that expired is full. */
const REFUND = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local points = math.max(0, tonumber(ARGV[3]))
local available = tonumber(redis.call('HGET', KEYS[1], 'available'))
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if available == nil or at == nil then
  return tostring(capacity)
end
if now > at then
  available = math.min(capacity, available + (now - at) * perMs)
  at = now
end
available = math.min(capacity, available + points)
redis.call('HSET', KEYS[1], 'available', tostring(available), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - available) / perMs) + 1000)
return tostring(available)`;

export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: SharedRedis;

  constructor(
    url: string,
    readonly options: BucketOptions,
    /** Prefix of every key this store writes. */
    private readonly prefix = 'skyway:rate:',
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
    )) as string;
    return Number(available);
  }

  async close(): Promise<void> {
    await closeRedis(this.#redis);
  }
}
