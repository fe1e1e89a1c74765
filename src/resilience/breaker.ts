import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  DelegateBackoff,
  type FailureReason,
  handleWhen,
  SamplingBreaker,
  TaskCancelledError,
} from 'cockatiel';
import type { UpstreamName } from '../config.js';
import {
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../upstreams/errors.js';
import type { ResilienceOptions } from './options.js';
import { RequestEndedError } from './timed-attempt.js';

/**
 * cockatiel's circuit breaker, one per upstream and shared by every request to it, speaking
 * our vocabulary: it counts only failures that say something about the upstream's health,
 * and a call it refuses is UPSTREAM_UNAVAILABLE `CIRCUIT_OPEN`.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * Whether a failure says something about the upstream's health. A refusal of ours
 * (`HTTP_4XX`, and the bulkhead's `BULKHEAD_FULL` from the layer below) or a cancelled call
 * says nothing about it and is not counted.
 */
export function isUpstreamFault(error: Error): boolean {
  if (error instanceof UpstreamTimeoutError) return true;
  if (!(error instanceof UpstreamUnavailableError)) return false;
  return error.reason !== 'HTTP_4XX' && error.reason !== 'BULKHEAD_FULL';
}

/**
 * Whether a probe's failure keeps the breaker open. Only an answer from the upstream may close
 * it: cockatiel closes it on any error it does not count, and a probe that the request ended
 * (its client gone, its budget spent: a client can arrange that) or that never reached the
 * upstream (the bulkhead full) would close it on a dead upstream. A refusal (4xx) is an answer.
 */
export function isProbeFailure(error: Error): boolean {
  if (error instanceof UpstreamRejectedError) return false;
  return !(error instanceof UpstreamUnavailableError && error.reason === 'HTTP_4XX');
}

/** A probe that said nothing of the upstream: its request ended, or it never left. */
function saidNothing(result: FailureReason<unknown>): boolean {
  return (
    'error' in result &&
    (result.error instanceof RequestEndedError || result.error instanceof TaskCancelledError)
  );
}

export class UpstreamBreaker {
  /** Calls refused because the breaker was open. */
  rejected = 0;
  readonly #breaker: CircuitBreakerPolicy;
  /** When it last opened (ms epoch, `Date.now()`, cockatiel's clock), and for how long. */
  #openedAt = 0;
  #openFor = 0;

  constructor(
    private readonly upstream: UpstreamName,
    options: ResilienceOptions['breaker'],
  ) {
    const counts = (error: Error) =>
      this.#breaker.state === CircuitState.HalfOpen
        ? isProbeFailure(error)
        : isUpstreamFault(error);
    this.#breaker = circuitBreaker(handleWhen(counts), {
      // `openMs` after a failure; none after a probe that said nothing (it reopened the
      // breaker rather than close it on a dead upstream): the next call probes at once, so a
      // client cannot keep a recovered upstream's breaker open by ending its probes.
      halfOpenAfter: new DelegateBackoff<{ result: FailureReason<unknown> }>((context) => {
        this.#openFor = saidNothing(context.result) ? 0 : options.openMs;
        return this.#openFor;
      }),
      breaker: new SamplingBreaker({
        threshold: options.threshold,
        duration: options.windowMs,
        // cockatiel counts a minimum rate; ours is a minimum number of calls in the window.
        minimumRps: options.minimumCalls / (options.windowMs / 1000),
      }),
    });
    this.#breaker.onBreak(() => {
      this.#openedAt = Date.now();
    });
  }

  /**
   * The state the next call would find. cockatiel leaves open for half-open only when a call
   * comes in after `openMs`; until then its state says open, and with no traffic (a quiet
   * night after the upstream came back) it would say so for hours while nothing is refused.
   * Past `openMs` the next call is let through as the probe, so this says half-open: the
   * breaker-state gauge and /readyz read it. Listeners still hear cockatiel's transitions
   * when they happen, half-open with the probe.
   */
  get state(): BreakerState {
    const state = this.#breaker.state;
    // cockatiel refuses while `now - openedAt < duration` (the backoff chosen when it opened).
    if (state === CircuitState.Open && Date.now() - this.#openedAt >= this.#openFor) {
      return 'half-open';
    }
    return BREAKER_STATES[state];
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.#breaker.onStateChange((state) => listener(BREAKER_STATES[state]));
  }

  async execute<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await this.#breaker.execute(fn, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.rejected += 1;
        throw new UpstreamUnavailableError(this.upstream, 'CIRCUIT_OPEN');
      }
      throw error;
    }
  }
}
