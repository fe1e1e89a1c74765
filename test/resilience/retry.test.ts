import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Retry } from '../../src/resilience/retry.js';
import { RetryBudget } from '../../src/resilience/retry-budget.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../../src/upstreams/errors.js';

/**
 * The retry loop alone, on a fake clock: when it tries again, how long it waits (full jitter
 * with `Math.random` pinned, or `Retry-After`), and when it gives up. Nothing is slept.
 */

const unavailable = (status: number, retryAfterS?: number) =>
  new UpstreamUnavailableError('drones', 'HTTP_5XX', { status, retryAfterS });

/** An attempt that fails with `error` the first `failures` times, noting when it was tried. */
function flaky(failures: number, error: () => Error) {
  const start = Date.now();
  const triedAt: number[] = [];
  const attempt = async () => {
    triedAt.push(Date.now() - start);
    if (triedAt.length <= failures) throw error();
    return 'ok';
  };
  return { attempt, triedAt };
}

function retryWith(
  retry = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  budget = new RetryBudget(1, 100, 10_000),
) {
  return new Retry('drones', retry, budget);
}

const call = (budgetMs = 60_000, signal = new AbortController().signal) => ({
  signal,
  deadline: Date.now() + budgetMs,
  retryable: true,
});

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('Retry', () => {
  it('waits a full-jitter exponential delay before each retry', async () => {
    const retry = retryWith();
    const { attempt, triedAt } = flaky(3, () => unavailable(503));
    expect(await settle(retry.execute(attempt, call()))).toEqual({ value: 'ok' });
    // random 0.5 of 100, 200, 400 ms
    expect(triedAt).toEqual([0, 50, 150, 350]);
    expect({ calls: retry.calls, retries: retry.retries }).toEqual({ calls: 1, retries: 3 });
  });

  it('caps the delay at maxDelayMs', async () => {
    const retry = retryWith({ maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 1_500 });
    const { attempt, triedAt } = flaky(3, () => unavailable(502));
    await settle(retry.execute(attempt, call()));
    expect(triedAt).toEqual([0, 500, 1_250, 2_000]);
  });

  it('waits what Retry-After asks instead of its own delay', async () => {
    const { attempt, triedAt } = flaky(1, () => unavailable(429, 2));
    expect(await settle(retryWith().execute(attempt, call()))).toEqual({ value: 'ok' });
    expect(triedAt).toEqual([0, 2_000]);
  });

  it('gives up after maxRetries with the last failure', async () => {
    const { attempt, triedAt } = flaky(10, () => unavailable(503));
    const { error } = await settle(retryWith().execute(attempt, call()));
    expect(error).toMatchObject({ status: 503 });
    expect(triedAt).toHaveLength(4);
  });

  it('does not retry when the wait would reach past the deadline', async () => {
    const { attempt, triedAt } = flaky(10, () => unavailable(503, 5));
    const { error } = await settle(retryWith().execute(attempt, call(5_000)));
    expect(error).toMatchObject({ reason: 'HTTP_5XX', retryAfterS: 5 });
    expect(triedAt).toEqual([0]);
  });

  it('never retries a call that is not safe to repeat, a 500 or a timeout', async () => {
    const cases = [
      { error: unavailable(503), retryable: false },
      { error: unavailable(500), retryable: true },
      { error: new UpstreamTimeoutError('drones'), retryable: true },
    ];
    for (const { error, retryable } of cases) {
      const { attempt, triedAt } = flaky(10, () => error);
      const outcome = await settle(retryWith().execute(attempt, { ...call(), retryable }));
      expect(outcome.error).toBe(error);
      expect(triedAt).toHaveLength(1);
    }
  });

  it('retries refused connections', async () => {
    const { attempt, triedAt } = flaky(
      1,
      () => new UpstreamUnavailableError('drones', 'CONNECTION'),
    );
    expect(await settle(retryWith().execute(attempt, call()))).toEqual({ value: 'ok' });
    expect(triedAt).toHaveLength(2);
  });

  it('stops retrying when the retry budget is spent, and counts the retries it denied', async () => {
    const retry = retryWith(undefined, new RetryBudget(0, 0.1, 10_000)); // one retry per window
    const { attempt, triedAt } = flaky(100, () => unavailable(503));
    await settle(retry.execute(attempt, call()));
    await settle(retry.execute(attempt, call()));
    expect(triedAt).toHaveLength(3); // two first attempts and the single retry allowed
    expect({ retries: retry.retries, denied: retry.retriesDenied }).toEqual({
      retries: 1,
      denied: 2,
    });
  });

  it("ends its wait with a timeout when the request's signal aborts", async () => {
    const request = new AbortController();
    const { attempt, triedAt } = flaky(10, () => unavailable(503, 10));
    const running = retryWith()
      .execute(attempt, call(60_000, request.signal))
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    request.abort();
    expect(await running).toBeInstanceOf(UpstreamTimeoutError);
    expect(triedAt).toEqual([0]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
