/**
 * What the BFF remembers of each idempotent request, and the store interface both the memory
 * and the Redis store implement. Every transition is atomic in the store, so several BFF
 * instances sharing one store agree on who runs a request.
 *
 *   (none) ──begin──▶ started ──saveStep…──▶ started ──complete──▶ completed ──retention──▶ (none)
 *                         │ lease expires (owner died, or gave up after an upstream failure)
 *                         ├──begin by a retry of the client: taken over, its saved steps kept
 *                         └──claimExpired by the completer: taken over the same way, no client
 *
 * A started record keeps what its mutation needs to finish without its client (`resume`), and
 * the store keeps an index of started records by lease end, so the completer of any instance
 * can find the ones whose owner is gone without scanning every record.
 *
 * A store never drops a started record to make room: it may be money in flight (a payment
 * authorized, not yet captured), and only its record lets a retry or the completer settle it.
 * A store without room for a new record refuses it (`IdempotencyStoreFullError`), and the
 * mutation fails closed before anything runs.
 */

/** The outcome a completed request is replayed with: ids to resolve again, or a refusal. */
export type StoredOutcome =
  | { kind: 'result'; value: Record<string, string> }
  | { kind: 'refusal'; code: string; message: string; extensions?: Record<string, unknown> };

export interface IdempotencyRecord {
  fingerprint: string;
  state: 'started' | 'completed';
  /** Steps completed so far (recovery points), each with what it produced. */
  steps: Record<string, string>;
  outcome?: StoredOutcome;
  /** What the mutation needs to run again without its client (JSON, the mutation's own). */
  resume: string;
  /** How many times the completer took the record over. */
  attempts: number;
}

/** A started record the completer took over: it now owns it, as a retry would. */
export interface ClaimedRecord {
  key: string;
  resume: string;
  steps: Record<string, string>;
  /** Takeovers by the completer so far, this one included. */
  attempts: number;
}

export interface ClaimOptions {
  /** Who runs the claimed records, as `BeginOptions.owner`. */
  owner: string;
  leaseMs: number;
  /** Only records whose lease ended at least this long ago: a client's retry goes first. */
  idleMs: number;
  /** Records claimed at most per call. */
  limit: number;
}

export type BeginResult =
  /** This request runs: a new record, or one taken over with the steps already done. */
  | {
      status: 'acquired';
      steps: Record<string, string>;
      /**
       * True when an earlier attempt held the record (its lease ran out, or it gave it up): it
       * may have written upstream without recording the step, so checks that would refuse
       * before the first step must not run; the steps' own keys replay what it wrote.
       */
      takenOver: boolean;
    }
  | { status: 'completed'; outcome: StoredOutcome }
  /** Another request holds the lease. */
  | { status: 'in-flight' }
  /** The key was used with other input. */
  | { status: 'mismatch' };

export interface BeginOptions {
  fingerprint: string;
  /** Who runs the request (unique per attempt), so only it can write the record. */
  owner: string;
  /** How long the owner holds the request before another may take it over. */
  leaseMs: number;
  /** How long the record is kept. */
  retentionMs: number;
  /** Kept with a new record (see `IdempotencyRecord.resume`). */
  resume: string;
}

export interface IdempotencyStore {
  begin(key: string, options: BeginOptions): Promise<BeginResult>;
  /** Records a completed step; false when `owner` no longer holds the request. */
  saveStep(
    key: string,
    owner: string,
    step: string,
    value: string,
    leaseMs: number,
  ): Promise<boolean>;
  /** Completes the request with its outcome; false when `owner` no longer holds it. */
  complete(
    key: string,
    owner: string,
    outcome: StoredOutcome,
    retentionMs: number,
  ): Promise<boolean>;
  /**
   * Gives the lease up (after an upstream failure) so a retry can resume at once; the
   * completer finds the record `retryInMs` later at the earliest.
   */
  release(key: string, owner: string, retryInMs?: number): Promise<void>;
  /** Takes over started records whose lease ended `idleMs` ago or more, oldest first. */
  claimExpired(options: ClaimOptions): Promise<ClaimedRecord[]>;
  /** Whether the store can be used (for readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The store has no room for a new record: the memory store holds only started records, or
 * Redis is at its `maxmemory` (with the `noeviction` policy it refuses writes rather than
 * drop keys). Nothing was written.
 */
export class IdempotencyStoreFullError extends Error {
  override name = 'IdempotencyStoreFullError';
  constructor(detail: string) {
    super(`The idempotency store is full: ${detail}`);
  }
}
