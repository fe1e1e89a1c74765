import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { idempotencyKeyInUse, idempotencyKeyReused, storeUnavailable } from '../errors.js';
import { pause } from '../resilience/pause.js';
import { fingerprint } from './fingerprint.js';
import { type KeyScope, scopeDigest } from './keys.js';
import {
  type ClaimedRecord,
  type IdempotencyStore,
  IdempotencyStoreFullError,
  type StoredOutcome,
} from './store.js';

/**
 * Runs each mutation at most once per (caller, mutation, idempotency key), in the manner of
 * Stripe's idempotency keys:
 *
 * - same key, same input, completed: the stored outcome again, with no upstream write. The
 *   outcome is the result's identity (ids), not a frozen response, so a retry that selects
 *   other fields is resolved afresh; `recheck` runs first, so a replay is authorized for the
 *   caller who sends it and a stored refusal gives way to what is true now;
 * - same key, other input: IDEMPOTENCY_KEY_REUSED, nothing runs;
 * - same key while the first runs: IDEMPOTENCY_KEY_IN_USE (after waiting up to `waitMs`);
 * - a domain refusal (INVALID_STATE, NOT_FOUND, FORBIDDEN) is an outcome and is replayed;
 * - an outage (an upstream failing) is not: the record keeps the steps already done and gives
 *   its lease up, so the retry resumes after the last completed step instead of repeating it.
 *   If the process dies instead, the lease runs out and the retry takes over the same way.
 *   If no retry comes, the completer (`settle`) takes the record over, from any instance
 *   sharing the store, and finishes it from its steps and its `resume` data.
 */

export interface IdempotencyOptions {
  /** How long a completed request is remembered. */
  retentionMs: number;
  /** How long a running request is held before another may take it over. */
  leaseMs: number;
  /** How long a retry waits for a running twin to finish before IDEMPOTENCY_KEY_IN_USE. */
  waitMs: number;
}

/** Steps of one mutation: each runs once per request, whatever happens between retries. */
export interface Steps {
  /** Runs `action` unless this step already completed, and returns what it produced. */
  step(name: string, action: () => Promise<string>): Promise<string>;
  /** What a completed step produced, or undefined. */
  done(name: string): string | undefined;
  /**
   * True for the first attempt of this request only: no earlier attempt held it, so nothing
   * was written upstream for it yet. Checks that refuse before the first step run only then:
   * a taken-over attempt may have written without recording, and must go on to undo it.
   */
  readonly fresh: boolean;
}

/** What a mutation produced: the ids its payload is resolved from. */
export type Outcome = Record<string, string>;

/** One request to run: what identifies its input, and what the completer needs to finish it. */
export interface MutationRequest {
  /** The input as fingerprinted: the same key with other input is refused. */
  input: unknown;
  /** The mutation's own data to run again without its client (JSON). */
  resume: string;
}

export interface RunOptions {
  /** Before a stored outcome is replayed: throws the refusal that is true now, if any. */
  recheck?: (stored: StoredOutcome) => Promise<void>;
  /** The request's budget: waiting for a running twin stops when it ends or the client leaves. */
  budget?: { signal: AbortSignal; deadline: number };
}

/** Outcome codes that are answers, not accidents: stored and replayed. */
const REPLAYED_REFUSALS = new Set(['INVALID_STATE', 'NOT_FOUND', 'FORBIDDEN']);

const POLL_MS = 25;

export interface IdempotencyCounters {
  executions: number;
  replays: number;
  conflicts: number;
  inUse: number;
  resumed: number;
  /** Steps or completions refused because another request had taken the lease over. */
  lostLeases: number;
  /** Mutations refused before they ran because the store had no room (`STORE_FULL`). */
  storeFull: number;
}

export class IdempotentMutations {
  readonly counters: IdempotencyCounters = {
    executions: 0,
    replays: 0,
    conflicts: 0,
    inUse: 0,
    resumed: 0,
    lostLeases: 0,
    storeFull: 0,
  };

  constructor(
    readonly store: IdempotencyStore,
    private readonly options: IdempotencyOptions,
  ) {}

  async run(
    scope: KeyScope,
    request: MutationRequest,
    body: (steps: Steps) => Promise<Outcome>,
    options: RunOptions = {},
  ): Promise<Outcome> {
    const key = scopeDigest(scope);
    const owner = randomUUID();
    const begin = () =>
      this.store.begin(key, {
        fingerprint: fingerprint([scope.mutation, request.input]),
        owner,
        leaseMs: this.options.leaseMs,
        retentionMs: this.options.retentionMs,
        resume: request.resume,
      });

    let begun = await this.#storeCall(begin);
    // Waits for a running twin at most `waitMs`, and never past the request's own budget.
    const waitUntil = Math.min(
      Date.now() + this.options.waitMs,
      options.budget?.deadline ?? Infinity,
    );
    while (begun.status === 'in-flight' && Date.now() + POLL_MS < waitUntil) {
      if (options.budget?.signal.aborted) break;
      await pause(POLL_MS, options.budget?.signal);
      begun = await this.#storeCall(begin);
    }

    switch (begun.status) {
      case 'mismatch':
        this.counters.conflicts += 1;
        throw idempotencyKeyReused();
      case 'in-flight':
        this.counters.inUse += 1;
        throw idempotencyKeyInUse();
      case 'completed':
        this.counters.replays += 1;
        await options.recheck?.(begun.outcome);
        return replay(begun.outcome);
      case 'acquired':
        break;
    }
    return this.#execute(key, owner, begun.steps, body, 0, !begun.takenOver);
  }

  /**
   * Finishes a record the completer claimed (its client never came back): the same steps and
   * outcomes as `run`; after an outage it is left for the completer to try again in
   * `retryInMs`, not at once.
   */
  settle(
    claimed: ClaimedRecord,
    owner: string,
    body: (steps: Steps) => Promise<Outcome>,
    retryInMs: number,
  ): Promise<Outcome> {
    return this.#execute(claimed.key, owner, claimed.steps, body, retryInMs, false);
  }

  async #execute(
    key: string,
    owner: string,
    saved: Record<string, string>,
    body: (steps: Steps) => Promise<Outcome>,
    retryInMs: number,
    fresh: boolean,
  ): Promise<Outcome> {
    this.counters.executions += 1;
    const done = { ...saved };
    if (Object.keys(done).length > 0) this.counters.resumed += 1;
    const steps: Steps = {
      fresh,
      done: (name) => done[name],
      step: async (name, action) => {
        const previous = done[name];
        if (previous !== undefined) return previous;
        const value = await action();
        const stored = await this.#storeCall(() =>
          this.store.saveStep(key, owner, name, value, this.options.leaseMs),
        );
        if (!stored) {
          // Another request, or the completer, took the lease over (this one outlived it) and
          // runs the mutation now: its decisions win, so this one stops here, and its client
          // learns the outcome by retrying. Going on could answer "paid" for a payment the new
          // owner is undoing. The step's own upstream key kept its write single; the count
          // shows leases set too short.
          this.counters.lostLeases += 1;
          throw new LeaseLostError();
        }
        done[name] = value;
        return value;
      },
    };

    try {
      const outcome = await body(steps);
      const completed = await this.#storeCall(() =>
        this.store.complete(
          key,
          owner,
          { kind: 'result', value: outcome },
          this.options.retentionMs,
        ),
      );
      if (!completed) this.counters.lostLeases += 1;
      return outcome;
    } catch (error) {
      // Not ours any more: nothing to store or release.
      if (error instanceof LeaseLostError) throw idempotencyKeyInUse();
      const refusal = refusalOf(error);
      if (refusal !== null) {
        await this.#storeCall(() =>
          this.store.complete(key, owner, refusal, this.options.retentionMs),
        );
      } else {
        await this.store.release(key, owner, retryInMs).catch(() => {});
      }
      throw error;
    }
  }

  /**
   * A store that cannot be reached, or has no room for a new record, fails the mutation
   * closed, with a coded error: running a payment without its idempotency record is exactly
   * what the record is there to prevent. A full store is counted: it refuses every mutation
   * until the completer has settled what fills it, and an operator must hear of it.
   */
  async #storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof IdempotencyStoreFullError) {
        this.counters.storeFull += 1;
        throw storeUnavailable(
          'idempotency-store',
          'The idempotency store is full; retry with the same idempotencyKey shortly.',
          'STORE_FULL',
        );
      }
      throw storeUnavailable(
        'idempotency-store',
        'The idempotency store is unavailable; retry with the same idempotencyKey.',
      );
    }
  }
}

/** This attempt lost its lease mid-way: another owner runs the mutation now. */
class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** True for a domain refusal: an answer, not an accident, so it is stored and replayed. */
export function isDomainRefusalError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  const { code } = error.extensions;
  return typeof code === 'string' && REPLAYED_REFUSALS.has(code);
}

/** A domain refusal as it is stored for replay, or null for anything else. */
function refusalOf(error: unknown): StoredOutcome | null {
  if (!isDomainRefusalError(error)) return null;
  const { code, ...extensions } = error.extensions as { code: string };
  return Object.keys(extensions).length === 0
    ? { kind: 'refusal', code, message: error.message }
    : { kind: 'refusal', code, message: error.message, extensions };
}

function replay(outcome: StoredOutcome): Outcome {
  if (outcome.kind === 'refusal') {
    throw createGraphQLError(outcome.message, {
      extensions: { ...outcome.extensions, code: outcome.code },
    });
  }
  return outcome.value;
}
