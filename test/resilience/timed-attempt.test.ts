import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttemptSignal } from '../../src/resilience/attempt-signal.js';
import { RequestEndedError, TimedAttempt } from '../../src/resilience/timed-attempt.js';
import { UpstreamTimeoutError } from '../../src/upstreams/errors.js';

/** One attempt's deadline on a fake clock: the shorter of its timeout and the request's budget. */

/** An attempt that never answers and fails with a timeout when its signal aborts. */
function hanging() {
  let abortedAt: number | undefined;
  const start = Date.now();
  const attempt = (signal: AttemptSignal) =>
    new Promise<string>((_, reject) => {
      signal.once('abort', () => {
        abortedAt = Date.now() - start;
        reject(new UpstreamTimeoutError('drones'));
      });
    });
  return { attempt, abortedAt: () => abortedAt };
}

const call = (budgetMs: number, signal = new AbortController().signal) => ({
  signal,
  deadline: Date.now() + budgetMs,
  retryable: true,
});

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TimedAttempt', () => {
  it('aborts the attempt at its own timeout when the request has longer', async () => {
    const timed = new TimedAttempt(1_000);
    const { attempt, abortedAt } = hanging();
    const running = timed.execute(attempt, call(10_000)).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(999);
    expect(abortedAt()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await running).toBeInstanceOf(UpstreamTimeoutError);
    expect(abortedAt()).toBe(1_000);
  });

  it("aborts the attempt when the request's budget ends first, as the request's end", async () => {
    const timed = new TimedAttempt(10_000);
    const { attempt, abortedAt } = hanging();
    const running = timed.execute(attempt, call(50)).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(50);
    // The upstream had 50 ms of its 10 s: not its failure (the policy answers a timeout).
    expect(await running).toBeInstanceOf(RequestEndedError);
    expect(abortedAt()).toBe(50);
  });

  it("ends the request's way when the request's signal aborts at its deadline", async () => {
    const timed = new TimedAttempt(1_000);
    const request = new AbortController();
    const { attempt } = hanging();
    const running = timed.execute(attempt, call(300, request.signal)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    request.abort(); // what the request scope does when its budget is spent
    expect(await running).toBeInstanceOf(RequestEndedError);
  });

  it('judges an attempt given half its timeout or more as the upstream’s own timeout', async () => {
    const timed = new TimedAttempt(1_000);
    const { attempt } = hanging();
    const running = timed.execute(attempt, call(500)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(await running).toBeInstanceOf(UpstreamTimeoutError);
  });

  it('fails with RequestEndedError when the client leaves before the deadline', async () => {
    const timed = new TimedAttempt(1_000);
    const client = new AbortController();
    const { attempt } = hanging();
    const running = timed.execute(attempt, call(10_000, client.signal)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    client.abort();
    expect(await running).toBeInstanceOf(RequestEndedError);
  });

  it('counts attempts and leaves no timer or listener behind once settled', async () => {
    const timed = new TimedAttempt(1_000);
    const request = new AbortController();
    expect(await timed.execute(async () => 'ok', call(10_000, request.signal))).toBe('ok');
    await timed
      .execute(() => Promise.reject(new Error('no')), call(10_000, request.signal))
      .catch(() => undefined);
    expect(timed.attempts).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
  });
});
