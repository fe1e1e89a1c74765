import type {
  BeginOptions,
  BeginResult,
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
 * The store for one BFF instance (the default of `npm start`): a Map in insertion order,
 * bounded, dropping the oldest records first. Single-threaded JavaScript makes each method
 * atomic; it does not survive a restart, where the services' own idempotency still holds.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();

  constructor(
    /** Records kept at most; the oldest go first. */
    private readonly maxRecords = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    const now = this.now();
    const entry = this.#live(key, now);
    if (entry === undefined) {
      this.#set(key, {
        fingerprint: options.fingerprint,
        state: 'started',
        steps: {},
        owner: options.owner,
        leaseUntil: now + options.leaseMs,
        expiresAt: now + options.retentionMs,
      });
      return { status: 'acquired', steps: {} };
    }
    if (entry.fingerprint !== options.fingerprint) return { status: 'mismatch' };
    if (entry.state === 'completed' && entry.outcome)
      return { status: 'completed', outcome: entry.outcome };
    if (entry.leaseUntil > now) return { status: 'in-flight' };
    entry.owner = options.owner;
    entry.leaseUntil = now + options.leaseMs;
    return { status: 'acquired', steps: { ...entry.steps } };
  }

  async saveStep(key: string, owner: string, step: string, value: string, leaseMs: number) {
    const entry = this.#owned(key, owner);
    if (!entry) return false;
    entry.steps[step] = value;
    entry.leaseUntil = this.now() + leaseMs;
    return true;
  }

  async complete(key: string, owner: string, outcome: StoredOutcome, retentionMs: number) {
    const entry = this.#owned(key, owner);
    if (!entry) return false;
    entry.state = 'completed';
    entry.outcome = outcome;
    entry.expiresAt = this.now() + retentionMs;
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    const entry = this.#owned(key, owner);
    if (entry) entry.leaseUntil = 0;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.#entries.clear();
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

  #set(key: string, entry: Entry): void {
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxRecords) break;
      this.#entries.delete(oldest);
    }
  }
}
