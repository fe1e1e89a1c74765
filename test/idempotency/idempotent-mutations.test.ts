import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdempotentMutations } from '../../src/idempotency/idempotent-mutations.js';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory-store.js';

/** Waiting for a running twin: up to IDEMPOTENCY_WAIT_MS, never past the request's budget. */

const scope = { callerId: 'acc_0001', mutation: 'payForDelivery', clientKey: 'k-1' };
const request = { input: { amount: 1 }, resume: '{}' };

afterEach(() => {
  vi.useRealTimers();
});

async function twinRunning(waitMs: number) {
  const mutations = new IdempotentMutations(new MemoryIdempotencyStore(), {
    retentionMs: 60_000,
    leaseMs: 10_000,
    waitMs,
  });
  let finish: (value: Record<string, string>) => void = () => {};
  const first = mutations.run(
    scope,
    request,
    () => new Promise<Record<string, string>>((resolve) => (finish = resolve)),
  );
  await vi.advanceTimersByTimeAsync(0);
  return { mutations, first, finish: (value: Record<string, string>) => finish(value) };
}

describe('a retry while its twin runs', () => {
  it('gets the twin’s outcome when the twin ends within the wait', async () => {
    vi.useFakeTimers();
    const { mutations, first, finish } = await twinRunning(1_000);
    const retry = mutations.run(scope, request, async () => ({ ran: 'twice' }));
    await vi.advanceTimersByTimeAsync(200);
    finish({ deliveryId: 'del_1' });
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toEqual({ deliveryId: 'del_1' });
    expect(await retry).toEqual({ deliveryId: 'del_1' });
  });

  it('stops waiting when the request’s budget ends, before IDEMPOTENCY_WAIT_MS', async () => {
    vi.useFakeTimers();
    const { mutations } = await twinRunning(5_000);
    const budget = { signal: new AbortController().signal, deadline: Date.now() + 300 };
    const retry = mutations.run(scope, request, async () => ({}), { budget });
    const settled = vi.fn();
    retry.then(settled, settled);
    await vi.advanceTimersByTimeAsync(350);
    expect(settled).toHaveBeenCalledOnce();
    await expect(retry).rejects.toMatchObject({
      extensions: { code: 'IDEMPOTENCY_KEY_IN_USE' },
    });
  });

  it('stops waiting when its client leaves', async () => {
    vi.useFakeTimers();
    const { mutations } = await twinRunning(5_000);
    const client = new AbortController();
    const budget = { signal: client.signal, deadline: Date.now() + 5_000 };
    const retry = mutations.run(scope, request, async () => ({}), { budget });
    const settled = vi.fn();
    retry.then(settled, settled);
    await vi.advanceTimersByTimeAsync(100);
    client.abort();
    await vi.advanceTimersByTimeAsync(30);
    expect(settled).toHaveBeenCalledOnce();
  });
});

describe('a store with no room', () => {
  it('refuses a new mutation before it runs, coded STORE_FULL; a retry runs once there is room', async () => {
    const store = new MemoryIdempotencyStore(1);
    const mutations = new IdempotentMutations(store, {
      retentionMs: 60_000,
      leaseMs: 10_000,
      waitMs: 0,
    });
    // The one record the store holds is a mutation still running (its upstream failed).
    const running = mutations.run(scope, request, async () => {
      throw new Error('payments is down');
    });
    await expect(running).rejects.toThrow('payments is down');

    const body = vi.fn(async () => ({ deliveryId: 'del_2' }));
    const other = { ...scope, clientKey: 'k-2' };
    await expect(mutations.run(other, request, body)).rejects.toMatchObject({
      extensions: {
        code: 'UPSTREAM_UNAVAILABLE',
        upstream: 'idempotency-store',
        reason: 'STORE_FULL',
      },
    });
    expect(body).not.toHaveBeenCalled();
    expect(mutations.counters.storeFull).toBe(1);

    // The first is finished by its retry; its record, completed, makes room for the second.
    await mutations.run(scope, request, async () => ({ deliveryId: 'del_1' }));
    expect(await mutations.run(other, request, body)).toEqual({ deliveryId: 'del_2' });
    expect(body).toHaveBeenCalledOnce();
  });
});
