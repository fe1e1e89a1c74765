/**
 * How one upstream is called: its deadline, retries, breaker and bulkhead. Defaults follow
 * the usual production rules (AWS Builders' Library, Resilience4j) and are overridable per
 * upstream from the environment (see `config.ts`).
 */
export interface ResilienceOptions {
  /** Longest one attempt may take; an attempt also stops when the request's budget ends. */
  attemptTimeoutMs: number;
  retry: {
    /** Retries after the first attempt. */
    maxRetries: number;
    /** Full jitter: sleep = random(0, min(maxDelayMs, baseDelayMs · 2^attempt)). */
    baseDelayMs: number;
    maxDelayMs: number;
  };
  /** Retries may add at most this share of the calls of the last window, so they can't multiply an outage. */
  retryBudget: {
    ratio: number;
    /** Retries allowed per second whatever the traffic, so a quiet upstream can still be retried. */
    minPerSecond: number;
    windowMs: number;
  };
  breaker: {
    /** Share of failed calls in the window that opens the breaker. */
    threshold: number;
    windowMs: number;
    /** Calls needed in the window before the breaker may open. */
    minimumCalls: number;
    /** How long it stays open before a probe is let through. */
    openMs: number;
  };
  bulkhead: {
    /** Calls in flight at once. */
    concurrency: number;
    /** Calls waiting for a slot; past that, fail fast. */
    queue: number;
  };
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  attemptTimeoutMs: 1_000, // 1s
  retry: {
    maxRetries: 2,
    baseDelayMs: 50, // 50ms
    maxDelayMs: 1_000, // 1s
  },
  retryBudget: {
    ratio: 0.2,
    minPerSecond: 3,
    windowMs: 10_000, // 10s
  },
  breaker: {
    threshold: 0.5,
    windowMs: 10_000, // 10s
    minimumCalls: 20,
    openMs: 5_000, // 5s
  },
  bulkhead: {
    concurrency: 64,
    queue: 64,
  },
};
