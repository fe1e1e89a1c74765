import { closeRedis, connectRedis, type SharedRedis, slotKey } from '../stores/redis.js';
import type { BeginOptions, BeginResult, IdempotencyStore, StoredOutcome } from './store.js';

/**
 * The store several BFF instances share. A record is a Redis hash; every transition is one Lua
 * script, so checking the state and changing it happen as one step on the server (no race
 * between a GET and a SET, as a WATCH-less sketch would have). Leases are timed by Redis's own
 * clock, so instances with skewed clocks still agree on when an owner's lease has run out.
 *
 * Fields: fp (input fingerprint), state (started | completed), owner, lease (ms epoch),
 * step:<name> (one per completed step), outcome (JSON, once completed).
 *
 * Key: `slotKey(prefix, digest)`, i.e. `<prefix>{<digest>}`. A script that needs more keys of
 * the same record names them `slotKey(prefix, digest, part)`, so they share its cluster slot.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const BEGIN = `${NOW}
local fp = redis.call('HGET', KEYS[1], 'fp')
if not fp then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'state', 'started', 'owner', ARGV[2], 'lease', now + tonumber(ARGV[3]))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {'acquired'}
end
if fp ~= ARGV[1] then return {'mismatch'} end
if redis.call('HGET', KEYS[1], 'state') == 'completed' then
  return {'completed', redis.call('HGET', KEYS[1], 'outcome')}
end
if tonumber(redis.call('HGET', KEYS[1], 'lease')) > now then return {'in-flight'} end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'lease', now + tonumber(ARGV[3]))
return {'acquired', unpack(redis.call('HGETALL', KEYS[1]))}`;

const OWNED = `if redis.call('HGET', KEYS[1], 'state') ~= 'started' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end`;

const SAVE_STEP = `${NOW}
${OWNED}
redis.call('HSET', KEYS[1], 'step:' .. ARGV[2], ARGV[3], 'lease', now + tonumber(ARGV[4]))
return 1`;

const COMPLETE = `${OWNED}
redis.call('HSET', KEYS[1], 'state', 'completed', 'outcome', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

const RELEASE = `${OWNED}
redis.call('HSET', KEYS[1], 'lease', 0)
return 1`;

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: SharedRedis;

  constructor(
    url: string,
    /** Prefix of every key this store writes. */
    private readonly prefix = 'skyway:idem:',
  ) {
    // A silent Redis fails the mutation (closed, coded) within a second, not after its deadline.
    this.#redis = connectRedis(url, 1_000);
  }

  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    const answer = (await this.#redis.eval(
      BEGIN,
      1,
      slotKey(this.prefix, key),
      options.fingerprint,
      options.owner,
      options.leaseMs,
      options.retentionMs,
    )) as string[];
    const [status, ...rest] = answer;
    switch (status) {
      case 'acquired':
        return { status, steps: stepsOf(rest) };
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
    return (
      (await this.#redis.eval(
        SAVE_STEP,
        1,
        slotKey(this.prefix, key),
        owner,
        step,
        value,
        leaseMs,
      )) === 1
    );
  }

  async complete(key: string, owner: string, outcome: StoredOutcome, retentionMs: number) {
    const json = JSON.stringify(outcome);
    return (
      (await this.#redis.eval(COMPLETE, 1, slotKey(this.prefix, key), owner, json, retentionMs)) ===
      1
    );
  }

  async release(key: string, owner: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, slotKey(this.prefix, key), owner);
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
}

/** The `step:<name>` fields of a flat HGETALL answer. */
function stepsOf(flat: string[]): Record<string, string> {
  const steps: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] as string;
    if (field.startsWith('step:')) steps[field.slice(5)] = flat[i + 1] as string;
  }
  return steps;
}
