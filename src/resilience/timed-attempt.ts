import { AttemptSignal } from './attempt-signal.js';
import type { CallOptions } from './call-options.js';

/**
 * One attempt with its deadline: min(the attempt timeout, what is left of the request's
 * budget). Its timer is cleared when the attempt ends, so finished attempts leave nothing
 * behind (`AbortSignal.timeout` would keep a timer alive for its whole duration).
 */
export class TimedAttempt {
  /** Attempts started, retries included. */
  attempts = 0;

  constructor(private readonly attemptTimeoutMs: number) {}

  async execute<T>(attempt: (signal: AttemptSignal) => Promise<T>, call: CallOptions): Promise<T> {
    this.attempts += 1;
    const budgetMs = Math.min(this.attemptTimeoutMs, call.deadline - Date.now());
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
export class CallerGoneError extends Error {
  override name = 'CallerGoneError';
}
