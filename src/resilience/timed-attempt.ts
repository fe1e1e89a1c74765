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
    const cutShort = budgetMs < this.attemptTimeoutMs;
    const signal = new AttemptSignal(call.signal, budgetMs);
    try {
      return await attempt(signal);
    } catch (error) {
      // Stopped for the request's sake, not the upstream's: its client left, or its budget ran
      // out before the attempt's own timeout would have. The upstream was not given its time,
      // so this says nothing about it and is hidden from the breaker; counting it would let a
      // client that spends its budget on purpose (a slow body) open the breaker for everyone.
      if (signal.aborted && (call.signal.aborted || cutShort)) throw new RequestEndedError();
      throw error;
    } finally {
      signal.end();
    }
  }
}

/** The request ended mid-attempt (client gone, budget spent); the breaker must not count it. */
export class RequestEndedError extends Error {
  override name = 'RequestEndedError';
}
