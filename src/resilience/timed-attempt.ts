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
    // Cut short: the request's budget leaves less than half the attempt's own timeout. An
    // upstream given half its time or more and silent through it is judged slow; one given
    // less was not given its chance. (Not "any less": with an attempt timeout near the request's
    // budget, the milliseconds before the first call would excuse every attempt, and a hung
    // upstream would never open the breaker.)
    const cutShort = budgetMs < this.attemptTimeoutMs / 2;
    const signal = new AttemptSignal(call.signal, budgetMs);
    try {
      return await attempt(signal);
    } catch (error) {
      // Stopped for the request's sake, not the upstream's: its client left, or its budget ran
      // out with the attempt cut short. The upstream was not given its time, so this says
      // nothing about it and is hidden from the breaker; counting it would let a client that
      // spends its budget on purpose (a slow body) open the breaker for everyone.
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
