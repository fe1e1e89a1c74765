import { TaskCancelledError } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UpstreamBreaker } from '../../src/resilience/breaker.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../../src/upstreams/errors.js';

/** cockatiel's breaker in our vocabulary, on a fake clock: what it counts, when it opens and closes. */

const options = { threshold: 0.5, windowMs: 10_000, minimumCalls: 4, openMs: 5_000 };
const signal = new AbortController().signal;

async function failWith(breaker: UpstreamBreaker, error: Error): Promise<unknown> {
  return breaker.execute(() => Promise.reject(error), signal).catch((caught: unknown) => caught);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('UpstreamBreaker', () => {
  it('opens after enough failing calls, then refuses as CIRCUIT_OPEN without calling', async () => {
    const breaker = new UpstreamBreaker('drones', options);
    const transitions: string[] = [];
    breaker.onStateChange((state) => transitions.push(state));
    for (let i = 0; i < 4; i++) await failWith(breaker, new UpstreamTimeoutError('drones'));
    expect(breaker.state).toBe('open');

    const fn = vi.fn(async () => 'ok');
    const refused = await breaker.execute(fn, signal).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UpstreamUnavailableError);
    expect(refused).toMatchObject({ reason: 'CIRCUIT_OPEN', upstream: 'drones' });
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.rejected).toBe(1);
    expect(transitions).toEqual(['open']);
  });

  it('lets one probe through after openMs and closes when it succeeds', async () => {
    const breaker = new UpstreamBreaker('drones', options);
    const transitions: string[] = [];
    breaker.onStateChange((state) => transitions.push(state));
    for (let i = 0; i < 4; i++) {
      await failWith(breaker, new UpstreamUnavailableError('drones', 'HTTP_5XX', { status: 503 }));
    }
    vi.advanceTimersByTime(4_999);
    expect(await failWith(breaker, new Error('not called'))).toMatchObject({
      reason: 'CIRCUIT_OPEN',
    });
    vi.advanceTimersByTime(2);
    expect(await breaker.execute(async () => 'ok', signal)).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('says half-open once openMs has passed, with no call needed: what the next call finds', async () => {
    const breaker = new UpstreamBreaker('drones', options);
    const transitions: string[] = [];
    breaker.onStateChange((state) => transitions.push(state));
    for (let i = 0; i < 4; i++) await failWith(breaker, new UpstreamTimeoutError('drones'));
    vi.advanceTimersByTime(4_999);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('half-open');
    // Quiet for a minute: still waiting for its probe, not open.
    vi.advanceTimersByTime(60_000);
    expect(breaker.state).toBe('half-open');
    // cockatiel's own state moves only now, with the probe, which is let through.
    expect(transitions).toEqual(['open']);
    expect(await breaker.execute(async () => 'ok', signal)).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(breaker.rejected).toBe(0);
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('is open again for a whole openMs after a failed probe', async () => {
    const breaker = new UpstreamBreaker('drones', options);
    for (let i = 0; i < 4; i++) await failWith(breaker, new UpstreamTimeoutError('drones'));
    vi.advanceTimersByTime(12_000);
    expect(breaker.state).toBe('half-open');
    await failWith(breaker, new UpstreamTimeoutError('drones'));
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(4_999);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('half-open');
  });

  it("does not count the caller's refusals, a full bulkhead or a cancelled call", async () => {
    const breaker = new UpstreamBreaker('drones', options);
    const notFaults = [
      new UpstreamUnavailableError('drones', 'HTTP_4XX', { status: 400 }),
      new UpstreamUnavailableError('drones', 'BULKHEAD_FULL'),
      new TaskCancelledError(),
      new Error('the caller went away'),
    ];
    for (let i = 0; i < 5; i++) {
      for (const error of notFaults) expect(await failWith(breaker, error)).toBe(error);
    }
    expect(breaker.state).toBe('closed');
  });

  it('counts connection failures, bad responses and 5xx as faults', async () => {
    for (const reason of ['CONNECTION', 'BAD_RESPONSE', 'HTTP_5XX'] as const) {
      const breaker = new UpstreamBreaker('drones', options);
      for (let i = 0; i < 4; i++) {
        await failWith(breaker, new UpstreamUnavailableError('drones', reason));
      }
      expect(breaker.state).toBe('open');
    }
  });
});
