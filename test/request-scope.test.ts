import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestScope } from '../src/request-scope.js';

/** A request's scope: its time budget, the signal its upstream calls carry, and its end. */

const BUDGET_MS = 1000;

const scopeFor = (clientSignal?: AbortSignal) =>
  new RequestScope({ requestId: 'r-1', budgetMs: BUDGET_MS, clientSignal });

afterEach(() => {
  vi.useRealTimers();
});

describe('request budget', () => {
  it('aborts the calls of a request whose budget runs out', () => {
    vi.useFakeTimers();
    const scope = scopeFor();
    const { signal } = scope;
    vi.advanceTimersByTime(BUDGET_MS - 1);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
  });

  it('aborts them when the client goes away', () => {
    const client = new AbortController();
    const scope = scopeFor(client.signal);
    const { signal } = scope;
    client.abort();
    expect(signal.aborted).toBe(true);
  });

  it('aborts the calls still running for a request that has been answered', () => {
    const scope = scopeFor();
    const { signal } = scope;
    scope.callStarted(); // as the upstream client counts a call it has started
    scope.end();
    expect(signal.aborted).toBe(true);
  });

  it('leaves nothing running once the request is answered', () => {
    vi.useFakeTimers();
    const client = new AbortController();
    const scope = scopeFor(client.signal);
    const { signal } = scope;
    expect(vi.getTimerCount()).toBe(1);
    scope.end();
    expect(vi.getTimerCount()).toBe(0);
    client.abort();
    vi.advanceTimersByTime(BUDGET_MS);
    expect(signal.aborted).toBe(false);
  });

  it('costs no timer for a request refused before any upstream call', () => {
    vi.useFakeTimers();
    const scope = scopeFor();
    scope.end();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('what the scope tells upstreams', () => {
  it('forwards the request id, a traceparent, and the caller once identified', () => {
    const scope = new RequestScope({
      requestId: 'r-2',
      budgetMs: BUDGET_MS,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(scope.headers['x-request-id']).toBe('r-2');
    expect(scope.headers.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-/);
    expect(scope.headers['x-skyway-caller']).toBeUndefined();
    scope.identify({ caller: { accountId: 'acc_0001', role: 'CUSTOMER' } });
    expect(scope.headers['x-skyway-caller']).toBe('acc_0001');
  });

  it('counts the calls in flight and what they cost', () => {
    const scope = scopeFor();
    scope.callStarted();
    scope.callStarted();
    expect(scope.inFlight).toBe(2);
    scope.callSettled({ records: 3 });
    scope.callSettled();
    expect(scope.inFlight).toBe(0);
    expect(scope.usage).toEqual({ records: 3, writes: 0 });
  });
});
