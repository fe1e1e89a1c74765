import { closeRedis, connectRedis, type SharedRedis, slotKey } from '../stores/redis.js';
import {
  type BeginOptions,
  type BeginResult,
  type ClaimedRecord,
  type ClaimOptions,
  type IdempotencyStore,
  IdempotencyStoreFullError,
  type StoredOutcome,
} from './store.js';

/**
 * The store several BFF instances share. A record is a Redis hash; every transition is one Lua
 * script, so checking the state and changing it happen as one step on the server (no race
 * between a GET and a SET, as a WATCH-less sketch would have). Leases are timed by Redis's own
 * clock, so instances with skewed clocks still agree on when an owner's lease has run out. A
 * test may pass its own clock (`clock`): the scripts then take it as their last argument
 * instead of reading TIME, so a suite advances time instead of waiting for it.
 *
 * Fields: fp (input fingerprint), state (started | completed), owner, lease (ms epoch),
 * resume (what the completer needs), attempts (completer takeovers), step:<name> (one per
 * completed step), outcome (JSON, once completed).
 *
 * Started records are indexed in sorted sets by when the completer may take them, so it finds
 * abandoned mutations without scanning. The index is split in BUCKETS sets, and a record and
 * its bucket's set share a hash tag (`{idem<n>}`): every script touches two keys of one hash
 * slot, as Redis Cluster requires, while records still spread over 16 slots. Keys (built
 * by `slotKey`): `<prefix>{idem<n>}:<digest>` (the record, n = the digest's first character
 * code mod 16) and `<prefix>{idem<n>}:due` (its bucket's index).
 */

const BUCKETS = 16;

/** Redis's clock in ms, or the test's when the script was given one more argument than `argc`. */
const now = (argc: number) => `local now
if ARGV[${argc + 1}] then
  now = tonumber(ARGV[${argc + 1}])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`;

// KEYS: record, due. ARGV: fp, owner, leaseMs, retentionMs, resume, member.
const BEGIN = `${now(6)}
local fp = redis.call('HGET', KEYS[1], 'fp')
local leaseUntil = now + tonumber(ARGV[3])
if not fp then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'state', 'started', 'owner', ARGV[2], 'lease', leaseUntil, 'resume', ARGV[5], 'attempts', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('ZADD', KEYS[2], leaseUntil, ARGV[6])
  return {'acquired'}
end
if fp ~= ARGV[1] then return {'mismatch'} end
if redis.call('HGET', KEYS[1], 'state') == 'completed' then
  return {'completed', redis.call('HGET', KEYS[1], 'outcome')}
end
if tonumber(redis.call('HGET', KEYS[1], 'lease')) > now then return {'in-flight'} end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'lease', leaseUntil)
redis.call('ZADD', KEYS[2], leaseUntil, ARGV[6])
return {'acquired', unpack(redis.call('HGETALL', KEYS[1]))}`;

const OWNED = `if redis.call('HGET', KEYS[1], 'state') ~= 'started' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end`;

// KEYS: record, due. ARGV: owner, step, value, leaseMs, member.
const SAVE_STEP = `${now(5)}
${OWNED}
local leaseUntil = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'step:' .. ARGV[2], ARGV[3], 'lease', leaseUntil)
redis.call('ZADD', KEYS[2], leaseUntil, ARGV[5])
return 1`;

// KEYS: record, due. ARGV: owner, outcome, retentionMs, member.
const COMPLETE = `${OWNED}
redis.call('HSET', KEYS[1], 'state', 'completed', 'outcome', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[4])
return 1`;

// KEYS: record, due. ARGV: owner, retryInMs, member.
const RELEASE = `${now(3)}
${OWNED}
redis.call('HSET', KEYS[1], 'lease', now)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
return 1`;

// KEYS: record, due. ARGV: owner, leaseMs, idleMs, member. Checks again what the index said:
// the record may have completed, expired or been taken by a client's retry since.
const CLAIM = `${now(4)}
if redis.call('HGET', KEYS[1], 'state') ~= 'started' then
  redis.call('ZREM', KEYS[2], ARGV[4])
  return {}
end
local lease = tonumber(redis.call('HGET', KEYS[1], 'lease'))
if lease > now then
  redis.call('ZADD', KEYS[2], lease, ARGV[4])
  return {}
end
local due = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[4]) or '0')
if due > now - tonumber(ARGV[3]) then return {} end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local leaseUntil = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'lease', leaseUntil)
redis.call('ZADD', KEYS[2], leaseUntil, ARGV[4])
return redis.call('HGETALL', KEYS[1])`;

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: SharedRedis;

  constructor(
    url: string,
    /** Prefix of every key this store writes. */
    private readonly prefix = 'skyway:idem:',
    /** For tests only: a clock to use instead of Redis's own (ms epoch). */
    private readonly clock?: () => number,
  ) {
    // A silent Redis fails the mutation (closed, coded) within a second, not after its deadline.
    this.#redis = connectRedis(url, 1_000);
  }

  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    const answer = (await this.#eval(
      BEGIN,
      key,
      options.fingerprint,
      options.owner,
      options.leaseMs,
      options.retentionMs,
      options.resume,
      key,
      ...this.#now(),
    )) as string[];
    const [status, ...rest] = answer;
    switch (status) {
      case 'acquired':
        // A new record answers `acquired` alone; a taken-over one, with its fields.
        return { status, steps: fieldsOf(rest).steps, takenOver: rest.length > 0 };
      case 'completed':
        return { status, outcome: JSON.parse(rest[0] ?? 'null') as StoredOutcome };
      case 'in-flight':
      case 'mismatch':
        return { status };
      default:
        throw new Error(`idempotency store: unexpected answer ${String(status)}`);
    }
  }

  async saveStep(key: string, owner: string, step: string, value: string, leaseMs: number) {
    const saved = await this.#eval(
      SAVE_STEP,
      key,
      owner,
      step,
      value,
      leaseMs,
      key,
      ...this.#now(),
    );
    return saved === 1;
  }

  async complete(key: string, owner: string, outcome: StoredOutcome, retentionMs: number) {
    const json = JSON.stringify(outcome);
    const done = await this.#eval(COMPLETE, key, owner, json, retentionMs, key);
    return done === 1;
  }

  async release(key: string, owner: string, retryInMs = 0): Promise<void> {
    await this.#eval(RELEASE, key, owner, retryInMs, key, ...this.#now());
  }

  async claimExpired(options: ClaimOptions): Promise<ClaimedRecord[]> {
    const before = (await this.#clockMs()) - options.idleMs;
    const claimed: ClaimedRecord[] = [];
    for (let bucket = 0; bucket < BUCKETS && claimed.length < options.limit; bucket += 1) {
      const due = await this.#redis.zrangebyscore(
        this.#index(bucket),
        '-inf',
        before,
        'LIMIT',
        0,
        options.limit - claimed.length,
      );
      for (const key of due) {
        const flat = (await this.#eval(
          CLAIM,
          key,
          options.owner,
          options.leaseMs,
          options.idleMs,
          key,
          ...this.#now(),
        )) as string[];
        if (flat.length === 0) continue;
        const { steps, fields } = fieldsOf(flat);
        claimed.push({
          key,
          resume: fields.resume ?? '',
          steps,
          attempts: Number(fields.attempts ?? 1),
        });
      }
    }
    return claimed;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.#redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.#redis);
  }

  /**
   * Runs a script on the record of `key` and its bucket's index. Redis at its `maxmemory`
   * refuses writes (the `noeviction` policy; an evicting one would drop records of mutations
   * still running): that is a full store, as the memory store's.
   */
  async #eval(script: string, key: string, ...args: Array<string | number>): Promise<unknown> {
    try {
      return await this.#redis.eval(script, 2, ...this.#keys(key), ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('OOM ')) {
        throw new IdempotencyStoreFullError('Redis is at its maxmemory');
      }
      throw error;
    }
  }

  /** The test's clock as a script's last argument; none, so the script reads Redis's. */
  #now(): [] | [number] {
    return this.clock === undefined ? [] : [this.clock()];
  }

  /** Now in ms by Redis's clock, or the test's. */
  async #clockMs(): Promise<number> {
    if (this.clock !== undefined) return this.clock();
    const [seconds, micros] = await this.#redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  /** The record's key and its bucket's index, in one hash slot. */
  #keys(key: string): [string, string] {
    return [recordKey(this.prefix, key), this.#index(bucketOf(key))];
  }

  #index(bucket: number): string {
    return slotKey(this.prefix, `idem${bucket}`, 'due');
  }
}

/** The Redis key of the record for `key` (a scope digest). */
export function recordKey(prefix: string, key: string): string {
  return slotKey(prefix, `idem${bucketOf(key)}`, key);
}

function bucketOf(key: string): number {
  return key.charCodeAt(0) % BUCKETS;
}

/** A flat HGETALL answer: its `step:<name>` fields, and the others by name. */
function fieldsOf(flat: string[]): {
  steps: Record<string, string>;
  fields: Record<string, string>;
} {
  const steps: Record<string, string> = {};
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] as string;
    const value = flat[i + 1] as string;
    if (field.startsWith('step:')) steps[field.slice(5)] = value;
    else fields[field] = value;
  }
  return { steps, fields };
}
