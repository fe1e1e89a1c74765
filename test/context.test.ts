import { afterEach, describe, expect, it, vi } from 'vitest';
import { createContextFactory, endBudget } from '../src/context.js';
import type { IdempotentMutations } from '../src/idempotency/index.js';
import { SagaEvents } from '../src/sagas/events.js';
import type { Upstreams } from '../src/upstreams/index.js';

/** The request's time budget: its signal, and the timer behind it. */

const BUDGET_MS = 1000;

const createContext = createContextFactory({
  // Loaders reach the upstreams only when they load; none do here.
  upstreams: {} as Upstreams,
  idempotency: {} as IdempotentMutations,
  sagaEvents: new SagaEvents(),
  verifyToken: async () => null,
  requestTimeoutMs: BUDGET_MS,
  maxBatchSize: 100,
  batching: true,
});

afterEach(() => {
  vi.useRealTimers();
});

describe('request budget', () => {
  it('aborts the calls of a request whose budget runs out', async () => {
    vi.useFakeTimers();
    const { call } = await createContext({ request: new Request('http://bff/graphql') });
    vi.advanceTimersByTime(BUDGET_MS - 1);
    expect(call.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(call.signal.aborted).toBe(true);
  });

  it('aborts them when the client goes away', async () => {
    const client = new AbortController();
    const request = new Request('http://bff/graphql', { signal: client.signal });
    const { call } = await createContext({ request });
    client.abort();
    expect(call.signal.aborted).toBe(true);
  });

  it('aborts the calls still running for a request that has been answered', async () => {
    const request = new Request('http://bff/graphql');
    const { call } = await createContext({ request });
    call.inFlight = 1; // as the upstream client counts a call it has started
    endBudget(request);
    expect(call.signal.aborted).toBe(true);
  });

  it('leaves nothing running once the request is answered', async () => {
    vi.useFakeTimers();
    const client = new AbortController();
    const request = new Request('http://bff/graphql', { signal: client.signal });
    const { call } = await createContext({ request });
    expect(vi.getTimerCount()).toBe(1);
    endBudget(request);
    expect(vi.getTimerCount()).toBe(0);
    client.abort();
    vi.advanceTimersByTime(BUDGET_MS);
    expect(call.signal.aborted).toBe(false);
  });
});
