import { describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../src/idempotency/store.js';

/**
 * What every idempotency store must do, run against each: the memory store (`stores.test.ts`),
 * and the Redis store on one server, on a cluster and behind Sentinel (`test/stores/`), each on
 * a hand-set clock (`test/helpers/redis-clock.ts` for Redis), so no test waits.
 */

export interface IdempotencySubject {
  store: IdempotencyStore;
  /** Lets `ms` pass for the store. */
  pass(ms: number): Promise<void>;
}

export const LEASE = 150;
export const RETENTION = 400;
export const begin = (
  store: IdempotencyStore,
  key: string,
  owner: string,
  fingerprint = 'fp-1',
  retentionMs = RETENTION,
) =>
  store.begin(key, {
    fingerprint,
    owner,
    leaseMs: LEASE,
    retentionMs,
    resume: `resume-${key}`,
  });
/**
 * The completer's tests hold what they claim for a second and keep records a minute: leases
 * follow the hand-set clock, but Redis's TTLs also age in real time, which a loaded machine's
 * pauses must not make expire.
 */
const HOLD = 1_000;
const KEEP = 60_000;
const claim = (store: IdempotencyStore, owner: string, idleMs = 0) =>
  store.claimExpired({ owner, leaseMs: HOLD, idleMs, limit: 10 });

export function describeIdempotencyStore(name: string, subject: () => IdempotencySubject): void {
  describe(`${name} idempotency store`, () => {
    it('gives a new key to its first request and refuses its twin while it runs', async () => {
      const { store } = subject();
      expect(await begin(store, 'k', 'a')).toEqual({
        status: 'acquired',
        steps: {},
        takenOver: false,
      });
      expect(await begin(store, 'k', 'b')).toEqual({ status: 'in-flight' });
    });

    it('refuses the key with another fingerprint, running or completed', async () => {
      const { store } = subject();
      await begin(store, 'k', 'a');
      expect(await begin(store, 'k', 'b', 'fp-2')).toEqual({ status: 'mismatch' });
      await store.complete('k', 'a', { kind: 'result', value: { id: '1' } }, RETENTION);
      expect(await begin(store, 'k', 'b', 'fp-2')).toEqual({ status: 'mismatch' });
    });

    it('replays a completed outcome', async () => {
      const { store } = subject();
      await begin(store, 'k', 'a');
      expect(
        await store.complete(
          'k',
          'a',
          { kind: 'refusal', code: 'INVALID_STATE', message: 'no' },
          RETENTION,
        ),
      ).toBe(true);
      expect(await begin(store, 'k', 'b')).toEqual({
        status: 'completed',
        outcome: { kind: 'refusal', code: 'INVALID_STATE', message: 'no' },
      });
    });

    it('lets only the owner record steps and complete', async () => {
      const { store } = subject();
      await begin(store, 'k', 'a');
      expect(await store.saveStep('k', 'intruder', 'charge', 'chg_1', LEASE)).toBe(false);
      expect(await store.complete('k', 'intruder', { kind: 'result', value: {} }, RETENTION)).toBe(
        false,
      );
      expect(await store.saveStep('k', 'a', 'charge', 'chg_1', LEASE)).toBe(true);
    });

    it('hands a request whose lease ran out to the next, with the steps already done', async () => {
      const { store, pass } = subject();
      await begin(store, 'k', 'a');
      await store.saveStep('k', 'a', 'charge', 'chg_1', LEASE);
      await pass(LEASE + 50);
      expect(await begin(store, 'k', 'b')).toEqual({
        status: 'acquired',
        steps: { charge: 'chg_1' },
        takenOver: true,
      });
      // The old owner is out: its late writes are refused.
      expect(await store.saveStep('k', 'a', 'payment', 'del_1', LEASE)).toBe(false);
    });

    it('hands a released request over at once', async () => {
      const { store } = subject();
      await begin(store, 'k', 'a');
      await store.saveStep('k', 'a', 'package', 'pkg_1', LEASE);
      await store.release('k', 'a');
      expect(await begin(store, 'k', 'b')).toEqual({
        status: 'acquired',
        steps: { package: 'pkg_1' },
        takenOver: true,
      });
    });

    it('says a request was taken over even when no step was recorded', async () => {
      const { store } = subject();
      await begin(store, 'k', 'a');
      await store.release('k', 'a');
      expect(await begin(store, 'k', 'b')).toEqual({
        status: 'acquired',
        steps: {},
        takenOver: true,
      });
    });

    it('forgets a key after its retention', async () => {
      const { store, pass } = subject();
      await begin(store, 'k', 'a');
      await store.complete('k', 'a', { kind: 'result', value: { id: '1' } }, RETENTION);
      await pass(RETENTION + 100);
      expect(await begin(store, 'k', 'b', 'fp-2')).toEqual({
        status: 'acquired',
        steps: {},
        takenOver: false,
      });
    });

    it('hands an abandoned request to the completer once, with its steps and resume data', async () => {
      const { store, pass } = subject();
      await begin(store, 'k', 'a', 'fp-1', KEEP);
      await store.saveStep('k', 'a', 'authorize', 'chg_1', LEASE);
      await begin(store, 'done', 'a', 'fp-1', KEEP);
      await store.complete('done', 'a', { kind: 'result', value: {} }, KEEP);
      expect(await claim(store, 'c1')).toEqual([]);
      await pass(LEASE + 50);
      expect(await claim(store, 'c1')).toEqual([
        { key: 'k', resume: 'resume-k', steps: { authorize: 'chg_1' }, attempts: 1 },
      ]);
      // Held by the completer now: a second completer and a client's retry both wait.
      expect(await claim(store, 'c2')).toEqual([]);
      expect(await begin(store, 'k', 'b')).toEqual({ status: 'in-flight' });
      expect(await store.saveStep('k', 'c1', 'link', 'linked', LEASE)).toBe(true);
      expect(await store.complete('k', 'c1', { kind: 'result', value: {} }, KEEP)).toBe(true);
      await pass(LEASE + 50);
      expect(await claim(store, 'c2')).toEqual([]);
    });

    it('leaves a released request to its client for the idle time, then counts each takeover', async () => {
      const { store, pass } = subject();
      await begin(store, 'k', 'a', 'fp-1', KEEP);
      await store.release('k', 'a');
      expect(await claim(store, 'c1', HOLD)).toEqual([]);
      await pass(HOLD + 100);
      const [first] = await claim(store, 'c1', HOLD);
      expect(first?.attempts).toBe(1);
      await store.release('k', 'c1', 50);
      expect(await claim(store, 'c2', HOLD)).toEqual([]);
      await pass(HOLD + 100);
      const [second] = await claim(store, 'c2', HOLD);
      expect(second?.attempts).toBe(2);
    });

    it('answers a ping', async () => {
      expect(await subject().store.ping()).toBe(true);
    });
  });
}
