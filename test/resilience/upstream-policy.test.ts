import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttemptSignal } from '../../src/resilience/attempt-signal.js';
import { DEFAULT_RESILIENCE, type ResilienceOptions } from '../../src/resilience/options.js';
import { UpstreamPolicy } from '../../src/resilience/upstream-policy.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../../src/upstreams/errors.js';

/**
 * The policy with plain functions as attempts: what it lets through, what it refuses, and how
 * often it tries. Time is faked (`Date` only), never waited for.
 */

function policyWith(overrides: Partial<ResilienceOptions> = {}) {
  return new UpstreamPolicy('drones', {
    ...structuredClone(DEFAULT_RESILIENCE),
    retry: { maxRetries: 2, baseDelayMs: 0, maxDelayMs: 0 },
    ...overrides,
  });
}

const call = (retryable = true, budgetMs = 3_000) => ({
  signal: new AbortController().signal,
  deadline: Date.now() + budgetMs,
  retryable,
});

const unavailable = (status: number, retryAfterS?: number) =>
  new UpstreamUnavailableError('drones', 'HTTP_5XX', { status, retryAfterS });

/** An attempt that fails with `error` the first `failures` times, then answers "ok". */
function flaky(failures: number, error: () => Error) {
  let calls = 0;
  const attempt = async () => {
    calls += 1;
    if (calls <= failures) throw error();
    return 'ok';
  };
  return { attempt, calls: () => calls };
}

/** An upstream that never answers: each attempt times out when its signal aborts. */
function hangingUpstream() {
  let calls = 0;
  const attempt = (signal: AttemptSignal) =>
    new Promise<string>((_, reject) => {
      calls += 1;
      signal.once('abort', () => reject(new UpstreamTimeoutError('drones')));
    });
  return { attempt, calls: () => calls };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

afterEach(() => vi.useRealTimers());

describe('retries', () => {
  it('retries a 503 and returns the answer that follows', async () => {
    const policy = policyWith();
    const { attempt, calls } = flaky(2, () => unavailable(503));
    expect(await policy.execute(attempt, call())).toBe('ok');
    expect(calls()).toBe(3);
    expect(policy.counters.retries).toBe(2);
  });

  it('gives up after the configured retries', async () => {
    const policy = policyWith();
    const { attempt, calls } = flaky(10, () => unavailable(503));
    expect(await failure(policy.execute(attempt, call()))).toMatchObject({ status: 503 });
    expect(calls()).toBe(3);
  });

  it('never retries a call that is not safe to repeat', async () => {
    const policy = policyWith();
    const { attempt, calls } = flaky(10, () => unavailable(503));
    await failure(policy.execute(attempt, call(false)));
    expect(calls()).toBe(1);
  });

  it('never retries a 500, a 4xx, a bad response or a timeout', async () => {
    for (const error of [
      unavailable(500),
      new UpstreamUnavailableError('drones', 'HTTP_4XX', { status: 400 }),
      new UpstreamUnavailableError('drones', 'BAD_RESPONSE'),
      new UpstreamTimeoutError('drones'),
    ]) {
      const { attempt, calls } = flaky(10, () => error);
      await failure(policyWith().execute(attempt, call()));
      expect(calls()).toBe(1);
    }
  });

  it('retries refused connections', async () => {
    const { attempt, calls } = flaky(1, () => new UpstreamUnavailableError('drones', 'CONNECTION'));
    expect(await policyWith().execute(attempt, call())).toBe('ok');
    expect(calls()).toBe(2);
  });

  it('does not retry when Retry-After reaches past the request deadline', async () => {
    const { attempt, calls } = flaky(10, () => unavailable(503, 5));
    const error = await failure(policyWith().execute(attempt, call(true, 3_000)));
    expect(error).toMatchObject({ reason: 'HTTP_5XX', retryAfterS: 5 });
    expect(calls()).toBe(1);
  });

  it('stops retrying when the retry budget is spent', async () => {
    const policy = policyWith({
      retryBudget: { ratio: 0, minPerSecond: 0.1, windowMs: 10_000 }, // one retry per window
    });
    const { attempt, calls } = flaky(100, () => unavailable(503));
    await failure(policy.execute(attempt, call()));
    await failure(policy.execute(attempt, call()));
    expect(calls()).toBe(3); // 2 first attempts + the single retry the budget allowed
    expect(policy.counters.retriesDenied).toBe(2);
  });
});

describe('circuit breaker', () => {
  const breakerOptions = {
    breaker: { threshold: 0.5, windowMs: 10_000, minimumCalls: 4, openMs: 5_000 },
    retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
  };

  it('opens after enough failing calls and then fails fast without calling', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const policy = policyWith(breakerOptions);
    const transitions: string[] = [];
    policy.onBreakerStateChange((state) => transitions.push(state));
    const { attempt, calls } = flaky(1_000, () => unavailable(503));
    for (let i = 0; i < 4; i++) await failure(policy.execute(attempt, call()));
    expect(policy.breakerState).toBe('open');

    const refused = await failure(policy.execute(attempt, call()));
    expect(refused).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'CIRCUIT_OPEN' });
    expect(calls()).toBe(4);
    expect(transitions).toEqual(['open']);
  });

  it('lets a probe through after the open time and closes when it succeeds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const policy = policyWith(breakerOptions);
    const transitions: string[] = [];
    policy.onBreakerStateChange((state) => transitions.push(state));
    const { attempt, calls } = flaky(4, () => unavailable(503));
    for (let i = 0; i < 4; i++) await failure(policy.execute(attempt, call()));

    vi.setSystemTime(Date.now() + 4_999);
    expect(await failure(policy.execute(attempt, call()))).toMatchObject({
      reason: 'CIRCUIT_OPEN',
    });
    vi.setSystemTime(Date.now() + 2);
    expect(await policy.execute(attempt, call())).toBe('ok');
    expect(policy.breakerState).toBe('closed');
    expect(calls()).toBe(5);
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not count calls whose client left or whose budget was spent', async () => {
    const policy = policyWith(breakerOptions);
    const { attempt: hanging, calls } = hangingUpstream();
    for (let i = 0; i < 10; i++) {
      const client = new AbortController();
      const running = policy.execute(hanging, { ...call(), signal: client.signal });
      client.abort();
      expect(await failure(running)).toBeInstanceOf(UpstreamTimeoutError);
      const spent = { ...call(), deadline: Date.now() - 1 };
      expect(await failure(policy.execute(hanging, spent))).toBeInstanceOf(UpstreamTimeoutError);
    }
    expect(calls()).toBe(10); // the spent budgets never reached the upstream
    expect(policy.breakerState).toBe('closed');
  });

  it("does not count attempts cut short by the request's budget (a slow client's doing)", async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const policy = policyWith({ ...breakerOptions, attemptTimeoutMs: 1_000 });
    const { attempt: hanging, calls } = hangingUpstream();
    // Each request arrives with 10 ms of its budget left (its body trickled in): the
    // upstream gets 10 ms of its 1 s, and times out through no fault of its own.
    for (let i = 0; i < 10; i++) {
      const running = failure(policy.execute(hanging, call(false, 10)));
      await vi.advanceTimersByTimeAsync(10);
      expect(await running).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    }
    expect(calls()).toBe(10);
    expect(policy.breakerState).toBe('closed');

    // An upstream given its whole attempt timeout still counts; so does one given half of it
    // or more (an attempt timeout next to the request's budget must not excuse every call).
    const halfGiven = failure(policy.execute(hanging, call(false, 600)));
    await vi.advanceTimersByTimeAsync(600);
    expect(await halfGiven).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    for (let i = 0; i < 3; i++) {
      const running = failure(policy.execute(hanging, call(false, 3_000)));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await running).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    }
    expect(policy.breakerState).toBe('open');

    // Its probe, from a request whose budget is nearly spent, ends the request's way: that
    // says nothing of the upstream, so the breaker stays open (cockatiel would close it).
    vi.setSystemTime(Date.now() + 5_000);
    const probe = failure(policy.execute(hanging, call(false, 10)));
    await vi.advanceTimersByTimeAsync(10);
    expect(await probe).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(calls()).toBe(15);
    expect(policy.breakerState).not.toBe('closed');
    // Nor does it keep the breaker open for another open period: the next call probes at
    // once, and an upstream that answers closes it.
    expect(await policy.execute(async () => 'ok', call(false, 3_000))).toBe('ok');
    expect(policy.breakerState).toBe('closed');
  });

  it('does not count refusals of the caller (4xx) as upstream failures', async () => {
    const policy = policyWith(breakerOptions);
    const { attempt } = flaky(
      1_000,
      () => new UpstreamUnavailableError('drones', 'HTTP_4XX', { status: 400 }),
    );
    for (let i = 0; i < 10; i++) await failure(policy.execute(attempt, call()));
    expect(policy.breakerState).toBe('closed');
  });
});

describe('bulkhead', () => {
  it('fails fast past its slots and queue, and frees them afterwards', async () => {
    const policy = policyWith({ bulkhead: { concurrency: 2, queue: 1 } });
    const gates: Array<() => void> = [];
    const slow = () => new Promise<string>((resolve) => gates.push(() => resolve('ok')));
    const running = [1, 2, 3].map(() => policy.execute(slow, call()));
    const refused = await failure(policy.execute(slow, call()));
    expect(refused).toMatchObject({ reason: 'BULKHEAD_FULL' });
    expect(policy.bulkheadLoad).toEqual({ inFlight: 2, queued: 1 });

    while (gates.length > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(running)).toEqual(['ok', 'ok', 'ok']);
    expect(policy.bulkheadLoad).toEqual({ inFlight: 0, queued: 0 });
  });
});

describe('deadlines', () => {
  it('gives each attempt a signal that ends with the request budget', async () => {
    vi.useFakeTimers();
    const policy = policyWith({ attemptTimeoutMs: 10_000 });
    let seen: AttemptSignal | undefined;
    const attempt = (signal: AttemptSignal) =>
      new Promise<string>((_, reject) => {
        seen = signal;
        signal.once('abort', () => reject(new UpstreamTimeoutError('drones')));
      });
    const running = failure(policy.execute(attempt, call(true, 50)));
    await vi.advanceTimersByTimeAsync(49);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await running).toBeInstanceOf(UpstreamTimeoutError);
    expect(seen?.aborted).toBe(true);
    expect(policy.counters).toMatchObject({ calls: 1, attempts: 1, retries: 0 });
  });
});

describe('composition', () => {
  it('counts what each piece did in one set of counters', async () => {
    const policy = policyWith();
    const { attempt } = flaky(1, () => unavailable(503));
    await policy.execute(attempt, call());
    expect(policy.counters).toEqual({
      calls: 1,
      attempts: 2,
      retries: 1,
      retriesDenied: 0,
      rejectedOpen: 0,
      rejectedBulkhead: 0,
    });
  });

  it("does not count the bulkhead's refusals as the upstream's failures", async () => {
    const policy = policyWith({
      bulkhead: { concurrency: 1, queue: 0 },
      breaker: { threshold: 0.5, windowMs: 10_000, minimumCalls: 4, openMs: 5_000 },
    });
    let release = () => {};
    const held = policy.execute(
      () => new Promise<string>((resolve) => (release = () => resolve('ok'))),
      call(),
    );
    for (let i = 0; i < 10; i++) {
      expect(await failure(policy.execute(async () => 'ok', call()))).toMatchObject({
        reason: 'BULKHEAD_FULL',
      });
    }
    release();
    expect(await held).toBe('ok');
    expect(policy.breakerState).toBe('closed');
    expect(policy.counters.rejectedBulkhead).toBe(10);
  });
});
