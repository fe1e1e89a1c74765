import { ExponentialBackoff, fullJitterGenerator, type IBackoff } from 'cockatiel';
import type { UpstreamName } from '../config.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../upstreams/errors.js';
import type { CallOptions } from './call-options.js';
import type { ResilienceOptions } from './options.js';
import { pause } from './pause.js';
import { RetryBudget } from './retry-budget.js';

/**
 * The retry loop: full-jitter backoff (cockatiel's generator), or the wait an upstream asked
 * for with `Retry-After`; never past the request's deadline; never beyond the upstream's
 * retry budget.
 *
 * Written here rather than with cockatiel's `retry()`, which sleeps without listening to the
 * abort signal, knows neither the request's deadline nor `Retry-After`, and has no retry
 * budget. Retrying happens in this one layer only: undici is not asked to retry.
 */

/** 502, 503 and 504 say "try again"; a 500 is a bug on their side and is not retried. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Whether an attempt's failure may be retried: connection failures and "try again" statuses. */
export function isRetryableFailure(error: unknown): error is UpstreamUnavailableError {
  if (!(error instanceof UpstreamUnavailableError)) return false;
  if (error.reason === 'CONNECTION') return true;
  return error.status !== undefined && RETRYABLE_STATUSES.has(error.status);
}

export class Retry {
  /** Calls made (first attempts), as counted by the retry budget. */
  calls = 0;
  retries = 0;
  /** Retries not made because the retry budget was spent. */
  retriesDenied = 0;
  readonly #backoff: ExponentialBackoff<number>;

  constructor(
    private readonly upstream: UpstreamName,
    private readonly options: ResilienceOptions['retry'],
    private readonly budget: RetryBudget,
  ) {
    this.#backoff = new ExponentialBackoff({
      generator: fullJitterGenerator,
      initialDelay: options.baseDelayMs,
      maxDelay: options.maxDelayMs,
    });
  }

  static fromOptions(upstream: UpstreamName, options: ResilienceOptions): Retry {
    const { ratio, minPerSecond, windowMs } = options.retryBudget;
    return new Retry(upstream, options.retry, new RetryBudget(ratio, minPerSecond, windowMs));
  }

  /** Runs `attempt` (given its number, 0 for the first try) until it answers or may not be retried. */
  async execute<T>(attempt: (attemptNo: number) => Promise<T>, call: CallOptions): Promise<T> {
    this.calls += 1;
    this.budget.recordCall();
    let backoff: IBackoff<unknown> | undefined;
    for (let retries = 0; ; retries++) {
      try {
        return await attempt(retries);
      } catch (error) {
        if (!call.retryable || !isRetryableFailure(error) || retries >= this.options.maxRetries) {
          throw error;
        }
        backoff = backoff === undefined ? this.#backoff.next() : backoff.next(undefined);
        const delayMs =
          error.retryAfterS === undefined ? backoff.duration : error.retryAfterS * 1000;
        // A retry that cannot finish before the request's deadline only adds load: give the
        // caller the real failure now instead of a timeout later.
        if (Date.now() + delayMs >= call.deadline) throw error;
        if (!this.budget.tryRetry()) {
          this.retriesDenied += 1;
          throw error;
        }
        this.retries += 1;
        // The request's signal ends the wait, with a timeout.
        if (!(await pause(delayMs, call.signal))) throw new UpstreamTimeoutError(this.upstream);
      }
    }
  }
}
