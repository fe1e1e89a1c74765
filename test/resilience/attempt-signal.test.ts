import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptSignal } from '../../src/resilience/attempt-signal.js';

describe('AttemptSignal', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("aborts once when its deadline passes, and lets go of the request's signal", () => {
    vi.useFakeTimers();
    const request = new AbortController();
    const signal = new AttemptSignal(request.signal, 100);
    const onAbort = vi.fn();
    signal.on('abort', onAbort);
    vi.advanceTimersByTime(99);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
  });

  it("aborts when the request's signal does, and at once when it already has", () => {
    const request = new AbortController();
    const signal = new AttemptSignal(request.signal, 10_000);
    const onAbort = vi.fn();
    signal.on('abort', onAbort);
    request.abort();
    expect(signal.aborted).toBe(true);
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(new AttemptSignal(request.signal, 10_000).aborted).toBe(true);
  });

  it('leaves nothing behind once ended: no timer, no listener on the request', () => {
    vi.useFakeTimers();
    const request = new AbortController();
    const signal = new AttemptSignal(request.signal, 100);
    const onAbort = vi.fn();
    signal.on('abort', onAbort);
    signal.end();
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
    signal.abort();
    request.abort();
    vi.advanceTimersByTime(1_000);
    expect(signal.aborted).toBe(false);
    expect(onAbort).not.toHaveBeenCalled();
  });
});
