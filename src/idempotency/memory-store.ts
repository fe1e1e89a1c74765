import { LRUCache } from 'lru-cache';
import {
  type BeginOptions,
  type BeginResult,
  type ClaimedRecord,
  type ClaimOptions,
  type IdempotencyRecord,
  type IdempotencyStore,
  IdempotencyStoreFullError,
  type StoredOutcome,
} from './store.js';

interface Entry extends IdempotencyRecord {
  owner: string;
  leaseUntil: number;
  expiresAt: number;
}

/**
 * The store for one BFF instance (the default of `npm start`), bounded to `maxRecords`. Single-
 * threaded JavaScript makes each method atomic; it does not survive a restart, where the
 * services' own idempotency still holds. Its completer index holds this process's started
 * records only: a mutation abandoned by a process that died is finished by the next retry of
 * its client, never by another instance.
 *
 * Room is made from completed records only, the least recently used first (lru-cache): a
 * started record is a saga not finished, a payment authorized and not yet captured say, and
 * dropping it would leave that money for ever where it is, since the completer finds abandoned
 * sagas through their records. Started records leave when they complete, or at the end of
 * their retention, as Redis's expiry takes them. A store holding only started records refuses
 * a new one (`IdempotencyStoreFullError`), as Redis at its `maxmemory` refuses writes: the new
 * mutation fails closed before it runs, and the store still lets every started one finish.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  /** Completed records: what makes room, the least recently used first. */
  readonly #completed: LRUCache<string, Entry>;
  /**
   * Started records, never dropped to make room. In the order they began, which with one
   * retention for all is the order they expire in.
   */
  readonly #started = new Map<string, Entry>();
  /** Started records → when the completer may take them (the Redis store's sorted set). */
  readonly #due = new Map<string, number>();

  constructor(
    /** Records kept at most, started and completed together. */
    private readonly maxRecords = 100_000,
    // Read late, so a test's fake Date moves leases and the completer's waits alike.
    private readonly now: () => number = () => Date.now(),
  ) {
    // Expiry stays ours (`expiresAt`, on `now`) rather than lru-cache's `ttl`, whose clock is
    // `performance.now()` and so out of a test's hands. Records are moved in here as they
    // complete, and the two maps together hold at most `maxRecords`, so lru-cache's own
    // bound never drops one: `#makeRoom` decides what goes.
    this.#completed = new LRUCache<string, Entry>({ max: maxRecords });
  }

  /** Records kept now, started and completed. */
  get size(): number {
    return this.#started.size + this.#completed.size;
  }

  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    const now = this.now();
    const entry = this.#live(key, now);
    if (entry === undefined) {
      this.#makeRoom(now);
      this.#started.set(key, {
        fingerprint: options.fingerprint,
        state: 'started',
        steps: {},
        resume: options.resume,
        attempts: 0,
        owner: options.owner,
        leaseUntil: now + options.leaseMs,
        expiresAt: now + options.retentionMs,
      });
      this.#due.set(key, now + options.leaseMs);
      return { status: 'acquired', steps: {}, takenOver: false };
    }
    if (entry.fingerprint !== options.fingerprint) return { status: 'mismatch' };
    if (entry.state === 'completed' && entry.outcome)
      return { status: 'completed', outcome: entry.outcome };
    if (entry.leaseUntil > now) return { status: 'in-flight' };
    this.#hold(key, entry, options.owner, now + options.leaseMs);
    return { status: 'acquired', steps: { ...entry.steps }, takenOver: true };
  }

  async saveStep(key: string, owner: string, step: string, value: string, leaseMs: number) {
    const entry = this.#owned(key, owner);
    if (!entry) return false;
    entry.steps[step] = value;
    this.#hold(key, entry, owner, this.now() + leaseMs);
    return true;
  }

  async complete(key: string, owner: string, outcome: StoredOutcome, retentionMs: number) {
    const entry = this.#owned(key, owner);
    if (!entry) return false;
    entry.state = 'completed';
    entry.outcome = outcome;
    entry.expiresAt = this.now() + retentionMs;
    this.#started.delete(key);
    this.#due.delete(key);
    this.#completed.set(key, entry);
    return true;
  }

  async release(key: string, owner: string, retryInMs = 0): Promise<void> {
    const entry = this.#owned(key, owner);
    if (!entry) return;
    const now = this.now();
    entry.leaseUntil = now;
    this.#due.set(key, now + retryInMs);
  }

  async claimExpired(options: ClaimOptions): Promise<ClaimedRecord[]> {
    const now = this.now();
    const due = [...this.#due]
      .filter(([, at]) => at <= now - options.idleMs)
      .sort(([, a], [, b]) => a - b)
      .slice(0, options.limit);
    const claimed: ClaimedRecord[] = [];
    for (const [key] of due) {
      const entry = this.#live(key, now);
      if (entry?.state !== 'started' || entry.leaseUntil > now) continue;
      entry.attempts += 1;
      this.#hold(key, entry, options.owner, now + options.leaseMs);
      claimed.push({
        key,
        resume: entry.resume,
        steps: { ...entry.steps },
        attempts: entry.attempts,
      });
    }
    return claimed;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.#completed.clear();
    this.#started.clear();
    this.#due.clear();
  }

  /**
   * Room for one more record, or IdempotencyStoreFullError. Started records past their
   * retention go first (they are gone in Redis too), then the least recently used completed
   * record; a started record within its retention is never dropped.
   */
  #makeRoom(now: number): void {
    if (this.size < this.maxRecords) return;
    for (const [key, entry] of this.#started) {
      if (entry.expiresAt > now) break;
      this.#forget(key);
    }
    if (this.size < this.maxRecords) return;
    if (this.#completed.pop() !== undefined) return;
    throw new IdempotencyStoreFullError(
      `all ${this.maxRecords} records are mutations not finished yet (IDEMPOTENCY_MAX_RECORDS)`,
    );
  }

  #forget(key: string): void {
    this.#started.delete(key);
    this.#completed.delete(key);
    this.#due.delete(key);
  }

  #hold(key: string, entry: Entry, owner: string, until: number): void {
    entry.owner = owner;
    entry.leaseUntil = until;
    this.#due.set(key, until);
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#started.get(key) ?? this.#completed.get(key);
    if (entry && entry.expiresAt <= now) {
      this.#forget(key);
      return undefined;
    }
    return entry;
  }

  #owned(key: string, owner: string): Entry | undefined {
    const entry = this.#live(key, this.now());
    return entry?.state === 'started' && entry.owner === owner ? entry : undefined;
  }
}
