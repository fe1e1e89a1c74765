/**
 * What the BFF remembers of each idempotent request, and the store interface both the memory
 * and the Redis store implement. Every transition is atomic in the store, so several BFF
 * instances sharing one store agree on who runs a request.
 *
 *   (none) ──begin──▶ started ──saveStep…──▶ started ──complete──▶ completed ──retention──▶ (none)
 *                         │ lease expires (owner died, or gave up after an upstream failure)
 *                         └──begin by another request: taken over, its saved steps kept
 */

/** The outcome a completed request is replayed with: ids to resolve again, or a refusal. */
export type StoredOutcome =
  | { kind: 'result'; value: Record<string, string> }
  | { kind: 'refusal'; code: string; message: string };

export interface IdempotencyRecord {
  fingerprint: string;
  state: 'started' | 'completed';
  /** Steps completed so far (recovery points), each with what it produced. */
  steps: Record<string, string>;
  outcome?: StoredOutcome;
}

export type BeginResult =
  /** This request runs: a new record, or one taken over with the steps already done. */
  | { status: 'acquired'; steps: Record<string, string> }
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
  /** Gives the lease up now (after an upstream failure) so a retry can resume at once. */
  release(key: string, owner: string): Promise<void>;
  /** Whether the store can be used (for readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
