import {
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import type { Decision } from './bucket.js';
import type { RateLimitStore } from './store.js';

/**
 * A rate-limit store that, once a call to it fails, is not asked again for a cooldown: calls
 * meanwhile fail at once (cockatiel's `BrokenCircuitError`), and the limiter lets their
 * requests through as it does any store failure (`use-rate-limit.ts`). Then one call is let
 * through to try the store (calls that come while it tries wait for its answer): if it
 * answers, the store is back; if not, another cooldown.
 *
 * Without it, every request of a Redis outage waited for Redis's 250 ms deadline before being
 * let through (requests of 58 ms took 280 ms); with it, an outage costs one such wait per
 * cooldown, by the request that tries. It is cockatiel's circuit breaker, opened by a single
 * failure: the limiter fails open, so one failed call already means a request not limited, and
 * asking again at once would only add the wait.
 *
 * Whoever watches is told once per outage, not once per request: `onUnavailable` when the
 * store first fails (with `describeFailure`'s one line, not a stack), `onBack` when a try
 * finds it answering; tries that fail in between say nothing new.
 */

/**
 * How long a failed store is left alone: long enough that a Redis that is down costs one 250 ms
 * wait per 5 s per instance instead of one per request, short enough that once it is back
 * (ioredis reconnects within 500 ms) callers are limited again within seconds: an abuser
 * gains at most 5 s of unlimited requests after an outage. Redis failovers take longer than
 * this (1.5–2 s measured on our test topologies, 15–30 s with production timeouts), so a
 * failover costs a few tries, each one request's wait.
 */
export const STORE_COOLDOWN_MS = 5_000; // 5 s

/** The most of a failure's message a log line carries. */
const MAX_REASON_LENGTH = 200;

export interface StoreAvailability {
  /** The store stopped answering: told once, on the call that found it failing. */
  onUnavailable?: (reason: string) => void;
  /** A try after the cooldown found the store answering again. */
  onBack?: () => void;
}

export function withCooldown(
  store: RateLimitStore,
  availability: StoreAvailability = {},
): RateLimitStore {
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: STORE_COOLDOWN_MS,
    breaker: new ConsecutiveBreaker(1),
  });
  // The breaker opens again each time a try fails; the store became unavailable only once.
  let unavailable = false;
  breaker.onBreak((reason) => {
    if (unavailable) return;
    unavailable = true;
    // handleAll counts thrown errors only, and nothing isolates this breaker.
    availability.onUnavailable?.('error' in reason ? describeFailure(reason.error) : 'unknown');
  });
  breaker.onReset(() => {
    unavailable = false;
    availability.onBack?.();
  });
  return {
    options: store.options,
    take: (key: string, cost: number): Promise<Decision> =>
      breaker.execute(() => store.take(key, cost)),
    refund: (key: string, points: number): Promise<number> =>
      breaker.execute(() => store.refund(key, points)),
    close: () => store.close(),
  };
}

/** What went wrong, in one line of bounded length (ioredis's messages are short, a stack is not). */
function describeFailure(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}
