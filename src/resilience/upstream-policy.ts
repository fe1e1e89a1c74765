import { TaskCancelledError } from 'cockatiel';
import type { UpstreamName } from '../config.js';
import { UpstreamTimeoutError } from '../upstreams/errors.js';
import type { AttemptSignal } from './attempt-signal.js';
import { type BreakerState, UpstreamBreaker } from './breaker.js';
import { UpstreamBulkhead } from './bulkhead.js';
import type { CallOptions } from './call-options.js';
import type { ResilienceOptions } from './options.js';
import { Retry } from './retry.js';
import { RequestEndedError, TimedAttempt } from './timed-attempt.js';

/**
 * Everything that stands between a request and one upstream, composed from small pieces in
 * cockatiel's manner (`wrap`), outermost first:
 *
 *   retry (retry.ts) → breaker (breaker.ts) → bulkhead (bulkhead.ts) → timed attempt (timed-attempt.ts)
 *
 * The breaker and the bulkhead are shared by every request to the upstream. Each piece counts
 * what it does and speaks our error vocabulary; what is left here is the one rule that spans
 * them: a call whose request is over is a timeout, and never the upstream's failure.
 */

export type { BreakerState } from './breaker.js';
export type { CallOptions } from './call-options.js';
export { isRetryableFailure } from './retry.js';

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

export class UpstreamPolicy {
  readonly #retry: Retry;
  readonly #breaker: UpstreamBreaker;
  readonly #bulkhead: UpstreamBulkhead;
  readonly #timed: TimedAttempt;

  constructor(
    readonly upstream: UpstreamName,
    options: ResilienceOptions,
  ) {
    this.#retry = Retry.fromOptions(upstream, options);
    this.#breaker = new UpstreamBreaker(upstream, options.breaker);
    this.#bulkhead = new UpstreamBulkhead(upstream, options.bulkhead);
    this.#timed = new TimedAttempt(options.attemptTimeoutMs);
  }

  get counters(): PolicyCounters {
    return {
      calls: this.#retry.calls,
      attempts: this.#timed.attempts,
      retries: this.#retry.retries,
      retriesDenied: this.#retry.retriesDenied,
      rejectedOpen: this.#breaker.rejected,
      rejectedBulkhead: this.#bulkhead.rejected,
    };
  }

  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  /** Calls in flight and waiting, for the bulkhead's gauges. */
  get bulkheadLoad(): { inFlight: number; queued: number } {
    return this.#bulkhead.load;
  }

  /** Subscribes to breaker state changes (logged, and exported as metrics). */
  onBreakerStateChange(listener: (state: BreakerState) => void): void {
    this.#breaker.onStateChange(listener);
  }

  /**
   * Runs `attempt` under the policy; it gets a signal that ends with its own deadline, and
   * its number (0 for the first try).
   */
  execute<T>(
    attempt: (signal: AttemptSignal, attemptNo: number) => Promise<T>,
    call: CallOptions,
  ): Promise<T> {
    return this.#retry.execute(
      (attemptNo) => this.#once((signal) => attempt(signal, attemptNo), call),
      call,
    );
  }

  async #once<T>(attempt: (signal: AttemptSignal) => Promise<T>, call: CallOptions): Promise<T> {
    // A request whose budget is spent or whose client has gone says nothing about the
    // upstream: it stops here, before the breaker, and never counts as the upstream's failure.
    if (call.signal.aborted || call.deadline <= Date.now()) {
      throw new UpstreamTimeoutError(this.upstream);
    }
    try {
      return await this.#breaker.execute(
        () => this.#bulkhead.execute(() => this.#timed.execute(attempt, call), call.signal),
        call.signal,
      );
    } catch (error) {
      // Given up while queued for a slot, or the request ended mid-call (client gone, budget
      // spent): a timeout to the caller, translated only here, outside the breaker, so the
      // breaker never counts it.
      if (error instanceof TaskCancelledError || error instanceof RequestEndedError) {
        throw new UpstreamTimeoutError(this.upstream);
      }
      throw error;
    }
  }
}
