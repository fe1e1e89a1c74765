import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  type BulkheadPolicy,
  BulkheadRejectedError,
  bulkhead,
  type CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  type IBackoff,
  SamplingBreaker,
  TaskCancelledError,
} from 'cockatiel';
import type { UpstreamName } from '../config.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../upstreams/errors.js';
import { AttemptSignal } from './attempt-signal.js';
import type { ResilienceOptions } from './options.js';
import { RetryBudget } from './retry-budget.js';

/**
 * Everything that stands between a request and one upstream: a circuit breaker and a bulkhead
 * shared by every request to that upstream (cockatiel's), a deadline per attempt, and retries
 * with full-jitter backoff within the request's budget and the upstream's retry budget.
 *
 *   retry loop (here) → breaker (cockatiel) → bulkhead (cockatiel) → attempt with its deadline
 *
 * The retry loop is written here rather than with cockatiel's `retry()`, which sleeps without
 * listening to the abort signal, knows neither the request's deadline nor `Retry-After`, and
 * has no retry budget. Retrying happens in this one layer only: undici is not asked to retry.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CallOptions {
  /** The request's signal: aborted when its budget runs out or its client goes away. */
  signal: AbortSignal;
  /** When the request's budget ends (epoch ms). */
  deadline: number;
  /** True only when repeating the call is safe: a GET, or a write with an idempotency key. */
  retryable: boolean;
}

/** Counters a test or a metrics exporter can read. */
export interface PolicyCounters {
  calls: number;
  attempts: number;
  retries: number;
  /** Retries not made because the retry budget was spent. */
  retriesDenied: number;
  rejectedOpen: number;
  rejectedBulkhead: number;
}

/** 502, 503 and 504 say "try again"; a 500 is a bug on their side and is not retried. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Whether an attempt's failure may be retried: connection failures and "try again" statuses. */
export function isRetryableFailure(error: unknown): error is UpstreamUnavailableError {
  if (!(error instanceof UpstreamUnavailableError)) return false;
  if (error.reason === 'CONNECTION') return true;
  return error.status !== undefined && RETRYABLE_STATUSES.has(error.status);
}

/** Whether a failure says something about the upstream's health, for the breaker. */
function isUpstreamFault(error: Error): boolean {
  if (error instanceof UpstreamTimeoutError) return true;
  return error instanceof UpstreamUnavailableError && error.reason !== 'HTTP_4XX';
}

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

export class UpstreamPolicy {
  readonly counters: PolicyCounters = {
    calls: 0,
    attempts: 0,
    retries: 0,
    retriesDenied: 0,
    rejectedOpen: 0,
    rejectedBulkhead: 0,
  };
  readonly #breaker: CircuitBreakerPolicy;
  readonly #bulkhead: BulkheadPolicy;
  readonly #retryBudget: RetryBudget;
  readonly #backoff: ExponentialBackoff<number>;

  constructor(
    readonly upstream: UpstreamName,
    private readonly options: ResilienceOptions,
  ) {
    const { breaker, bulkhead: slots, retry, retryBudget } = options;
    this.#breaker = circuitBreaker(handleWhen(isUpstreamFault), {
      halfOpenAfter: breaker.openMs,
      breaker: new SamplingBreaker({
        threshold: breaker.threshold,
        duration: breaker.windowMs,
        // cockatiel counts a minimum rate; ours is a minimum number of calls in the window.
        minimumRps: breaker.minimumCalls / (breaker.windowMs / 1000),
      }),
    });
    this.#bulkhead = bulkhead(slots.concurrency, slots.queue);
    this.#retryBudget = new RetryBudget(
      retryBudget.ratio,
      retryBudget.minPerSecond,
      retryBudget.windowMs,
    );
    this.#backoff = new ExponentialBackoff({
      generator: fullJitterGenerator,
      initialDelay: retry.baseDelayMs,
      maxDelay: retry.maxDelayMs,
    });
  }

  get breakerState(): BreakerState {
    return BREAKER_STATES[this.#breaker.state];
  }

  /** Calls in flight and waiting, for the bulkhead's gauges. */
  get bulkheadLoad(): { inFlight: number; queued: number } {
    const { concurrency, queue } = this.options.bulkhead;
    return {
      inFlight: concurrency - this.#bulkhead.executionSlots,
      queued: queue - this.#bulkhead.queueSlots,
    };
  }

  /** Subscribes to breaker state changes (logged now, exported as metrics later). */
  onBreakerStateChange(listener: (state: BreakerState) => void): void {
    this.#breaker.onStateChange((state) => listener(BREAKER_STATES[state]));
  }

  /**
   * Runs `attempt` under the policy; it gets a signal that ends with its own deadline, and
   * its number (0 for the first try).
   */
  async execute<T>(
    attempt: (signal: AttemptSignal, attemptNo: number) => Promise<T>,
    call: CallOptions,
  ): Promise<T> {
    this.counters.calls += 1;
    this.#retryBudget.recordCall();
    let backoff: IBackoff<unknown> | undefined;
    for (let retries = 0; ; retries++) {
      try {
        return await this.#attempt((signal) => attempt(signal, retries), call);
      } catch (error) {
        if (
          !call.retryable ||
          !isRetryableFailure(error) ||
          retries >= this.options.retry.maxRetries
        ) {
          throw error;
        }
        backoff = backoff === undefined ? this.#backoff.next() : backoff.next(undefined);
        const delayMs =
          error.retryAfterS === undefined ? backoff.duration : error.retryAfterS * 1000;
        // A retry that cannot finish before the request's deadline only adds load: give the
        // caller the real failure now instead of a timeout later.
        if (Date.now() + delayMs >= call.deadline) throw error;
        if (!this.#retryBudget.tryRetry()) {
          this.counters.retriesDenied += 1;
          throw error;
        }
        this.counters.retries += 1;
        try {
          await sleep(delayMs, undefined, { signal: call.signal });
        } catch {
          throw new UpstreamTimeoutError(this.upstream);
        }
      }
    }
  }

  async #attempt<T>(attempt: (signal: AttemptSignal) => Promise<T>, call: CallOptions): Promise<T> {
    // A request whose budget is spent or whose client has gone says nothing about the
    // upstream: it stops here, before the breaker, and never counts as the upstream's failure.
    if (call.signal.aborted || call.deadline <= Date.now())
      throw new UpstreamTimeoutError(this.upstream);
    try {
      return await this.#breaker.execute(
        () => this.#bulkhead.execute(() => this.#timed(attempt, call), call.signal),
        call.signal,
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.counters.rejectedOpen += 1;
        throw new UpstreamUnavailableError(this.upstream, 'CIRCUIT_OPEN');
      }
      if (error instanceof BulkheadRejectedError) {
        this.counters.rejectedBulkhead += 1;
        throw new UpstreamUnavailableError(this.upstream, 'BULKHEAD_FULL');
      }
      // Given up while queued for a slot, or the client left mid-call: a timeout to the caller.
      if (error instanceof TaskCancelledError || error instanceof CallerGoneError) {
        throw new UpstreamTimeoutError(this.upstream);
      }
      throw error;
    }
  }

  /**
   * One attempt with its deadline: min(the attempt timeout, what is left of the request's
   * budget). Its timer is cleared when the attempt ends, so finished attempts leave nothing
   * behind (`AbortSignal.timeout` would keep a timer alive for its whole duration).
   */
  async #timed<T>(attempt: (signal: AttemptSignal) => Promise<T>, call: CallOptions): Promise<T> {
    this.counters.attempts += 1;
    const budgetMs = Math.min(this.options.attemptTimeoutMs, call.deadline - Date.now());
    const signal = new AttemptSignal(call.signal, budgetMs);
    try {
      return await attempt(signal);
    } catch (error) {
      // The client left before the deadline: not the upstream's fault, hidden from the breaker.
      if (call.signal.aborted && Date.now() < call.deadline) throw new CallerGoneError();
      throw error;
    } finally {
      signal.end();
    }
  }
}

/** The caller went away mid-attempt; the breaker must not count it. */
class CallerGoneError extends Error {
  override name = 'CallerGoneError';
}
