import { LRUCache } from 'lru-cache';
import type {
  BeginOptions,
  BeginResult,
  ClaimedRecord,
  ClaimOptions,
  IdempotencyRecord,
  IdempotencyStore,
  StoredOutcome,
} from './store.js';

interface Entry extends IdempotencyRecord {
  owner: string;
  leaseUntil: number;
  expiresAt: number;
}

/**
 * The store for one BFF instance (the default of `npm start`): an LRU of records (lru-cache),
 * bounded, dropping the least recently used records first. Single-threaded JavaScript makes each method
 * atomic; it does not survive a restart, where the services' own idempotency still holds.
 * Its completer index holds this process's started records only: a mutation abandoned by a
 * process that died is finished by the next retry of its client, never by another instance.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries: LRUCache<string, Entry>;
  /** Started records → when the completer may take them (the Redis store's sorted set). */
  readonly #due = new Map<string, number>();

  constructor(
    /** Records kept at most; the least recently used go first. */
    maxRecords = 100_000,
    // Read late, so a test's fake Date moves leases and the completer's waits alike.
    private readonly now: () => number = () => Date.now(),
  ) {
    // Expiry stays ours (`expiresAt`, on `now`) rather than lru-cache's `ttl`, whose clock is
    // `performance.now()` and so out of a test's hands. A record that goes, evicted or
    // expired, takes its place in the completer's index with it.
    this.#entries = new LRUCache<string, Entry>({
      max: maxRecords,
      dispose: (_entry, key) => this.#due.delete(key),
    });
  }

  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    const now = this.now();
    const entry = this.#live(key, now);
    if (entry === undefined) {
      this.#entries.set(key, {
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
    this.#due.delete(key);
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
    this.#entries.clear();
    this.#due.clear();
  }

  #hold(key: string, entry: Entry, owner: string, until: number): void {
    entry.owner = owner;
    entry.leaseUntil = until;
    this.#due.set(key, until);
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #owned(key: string, owner: string): Entry | undefined {
    const entry = this.#live(key, this.now());
    return entry?.state === 'started' && entry.owner === owner ? entry : undefined;
  }
}
