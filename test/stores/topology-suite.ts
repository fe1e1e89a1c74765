import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { scopeDigest } from '../../src/idempotency/keys.js';
import { RedisIdempotencyStore, recordKey } from '../../src/idempotency/redis-store.js';
import { RedisRateLimitStore } from '../../src/rate-limit/redis-store.js';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { connectRedis } from '../../src/stores/redis.js';
import { type BffProcess, startBffProcess, upstreamEnv } from '../helpers/bff-process.js';
import { operation } from '../helpers/operations.js';
import {
  graphql,
  PAY,
  type PaymentAnswer,
  payments,
  racePayments,
  serviceId,
} from '../helpers/payments.js';
import { type RedisTestClock, redisTestClock } from '../helpers/redis-clock.js';
import type { RedisTopology } from '../helpers/redis-topology.js';
import { waitFor } from '../helpers/wait-for.js';
import { describeIdempotencyStore, type IdempotencySubject } from '../idempotency/store-suite.js';
import {
  describeRateLimitStore,
  describeSharedRateLimitStore,
  OPTIONS,
  type RateLimitSubject,
} from '../rate-limit/store-suite.js';

/**
 * Everything the stores promise, on one real topology (`cluster.test.ts`, `sentinel.test.ts`):
 * both stores' suites, two BFF processes sharing it, and last a master SIGKILLed in the middle
 * of payments. The topology is started once per file and torn down after it, failed or not.
 */

export function describeTopology(name: string, start: () => Promise<RedisTopology>): void {
  let topology: RedisTopology;
  let mocks: MockServices;
  const bffs: BffProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  const prefix = `skyway-test:${randomUUID()}:`;

  beforeAll(async () => {
    [topology, mocks] = await Promise.all([start(), startMockServices()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(bffs.map((bff) => bff.stop('SIGKILL')));
    await Promise.all(closers.map((close) => close()));
    await Promise.all([topology?.stop(), mocks?.close()]);
  });

  /** A store's own prefix and a hand-set clock for it (`redis-clock.ts`): suites never wait. */
  function clockFor(keyPrefix: string): RedisTestClock {
    const clock = redisTestClock(topology.url, keyPrefix);
    closers.push(() => clock.close());
    return clock;
  }
  function idempotencySubject(): IdempotencySubject {
    const keyPrefix = `${prefix}idem:${randomUUID()}:`;
    const clock = clockFor(keyPrefix);
    const store = new RedisIdempotencyStore(topology.url, keyPrefix, clock.now);
    closers.push(() => store.close());
    return { store, pass: (ms) => clock.pass(ms) };
  }
  function rateLimitStore(
    options = OPTIONS,
    keyPrefix = `${prefix}rate:${randomUUID()}:`,
    clock?: () => number,
  ) {
    const store = new RedisRateLimitStore(topology.url, options, keyPrefix, clock);
    closers.push(() => store.close());
    return store;
  }
  function rateLimitSubject(options = OPTIONS): RateLimitSubject {
    const keyPrefix = `${prefix}rate:${randomUUID()}:`;
    const clock = clockFor(keyPrefix);
    return { store: rateLimitStore(options, keyPrefix, clock.now), pass: (ms) => clock.pass(ms) };
  }
  function bff(env: Record<string, string>): BffProcess {
    const started = startBffProcess({ ...upstreamEnv(mocks), ...env });
    bffs.push(started);
    return started;
  }
  const { token, newDelivery, chargesFor } = payments(() => mocks);

  /**
   * Two BFF processes on the topology for both stores, started once for the payment tests (a
   * process takes seconds to start). The lease is short enough for a retry to outwait it.
   */
  const STORES_ENV = {
    IDEMPOTENCY_STORE: '',
    IDEMPOTENCY_KEY_PREFIX: `${prefix}idem:`,
    RATE_LIMIT_KEY_PREFIX: `${prefix}rate:`,
    RATE_LIMIT_CAPACITY: '100000',
    REQUEST_TIMEOUT_MS: '2000',
    IDEMPOTENCY_LEASE_MS: '2500',
  };
  let pair: Promise<[string, string]> | undefined;
  function sharedPair(): Promise<[string, string]> {
    const env = { ...STORES_ENV, IDEMPOTENCY_STORE: topology.url, RATE_LIMIT_STORE: topology.url };
    pair ??= Promise.all([bff(env).url, bff(env).url]);
    return pair;
  }

  describe(`on ${name}`, () => {
    describeIdempotencyStore(name, idempotencySubject);
    describeRateLimitStore(name, rateLimitSubject);
    describeSharedRateLimitStore(
      name,
      () => {
        const keyPrefix = `${prefix}rate:${randomUUID()}:`;
        return {
          a: rateLimitStore(OPTIONS, keyPrefix),
          b: rateLimitStore(OPTIONS, keyPrefix),
          prefix: keyPrefix,
        };
      },
      () => connectRedis(topology.url, 1_000),
    );

    it('two BFF processes racing 50 identical payments make one charge', async () => {
      const [a, b] = await sharedPair();
      const auth = await token('acc_0002');
      const delivery = await newDelivery(a, auth);
      const { chargeIds, codes } = await racePayments([a, b], auth, delivery);
      expect(chargeIds.size).toBe(1);
      expect(codes.filter((code) => code !== 'IDEMPOTENCY_KEY_IN_USE')).toEqual([]);
      expect(await chargesFor(delivery)).toHaveLength(1);
    });

    it("gives one caller's budget to both BFF processes", async () => {
      // DeliveryDetail of a delivery with a drone and a charge reads (and costs) 5 of 20
      // points, and a point comes back every 2 s: the fifth request in a row is refused.
      const env = {
        RATE_LIMIT_STORE: topology.url,
        RATE_LIMIT_KEY_PREFIX: `${prefix}budget:`,
        QUERY_MAX_COST: '20',
        RATE_LIMIT_CAPACITY: '20',
        RATE_LIMIT_RESTORE_PER_S: '0.5',
      };
      const [a, b] = await Promise.all([bff(env).url, bff(env).url]);
      const auth = await token('acc_0001', 'DISPATCHER');
      const full = [...mocks.data.deliveries.values()].find(
        (delivery) => delivery.droneId !== null && delivery.chargeId !== null,
      );
      const detail = (url: string) =>
        fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
          body: JSON.stringify({
            query: operation('DeliveryDetail'),
            variables: { id: encodeGlobalId('Delivery', full?.id ?? '') },
          }),
        });
      const statuses: number[] = [];
      for (const url of [a, b, a, b, a, b]) statuses.push((await detail(url)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    });

    it('a master SIGKILLed mid-traffic: coded errors while it fails over, never a 5xx, one charge per key', async () => {
      const [a, b] = await sharedPair();
      const auth = await token('acc_0004');
      const PAYMENTS = 30;
      const inputs = [];
      for (let i = 0; i < PAYMENTS; i++) {
        inputs.push({
          idempotencyKey: randomUUID(),
          deliveryId: await newDelivery(i % 2 === 0 ? a : b, auth),
          amountCents: 1000 + i,
          currency: 'EUR',
        });
      }
      // The master to kill holds the record of the payment sent right after it dies.
      const victim = inputs[PAYMENTS / 3] as (typeof inputs)[number];
      const victimKey = recordKey(
        STORES_ENV.IDEMPOTENCY_KEY_PREFIX,
        scopeDigest({
          callerId: 'acc_0004',
          mutation: 'payForDelivery',
          clientKey: victim.idempotencyKey,
        }),
      );

      const first: PaymentAnswer[] = [];
      let killedAt = 0;
      let healedAt = 0;
      for (const [i, input] of inputs.entries()) {
        if (i === PAYMENTS / 3) {
          await topology.killMasterOf(victimKey);
          killedAt = performance.now();
          void topology.healed().then(() => {
            healedAt = performance.now();
          });
        }
        // One at a time, alternating instances: traffic keeps flowing while the master is gone.
        first.push(await graphql(i % 2 === 0 ? a : b, auth, PAY, { input }));
      }
      await topology.healed();
      healedAt ||= performance.now();

      expect(first.filter((answer) => answer.status >= 500)).toEqual([]);
      const codes = first.flatMap((answer) => answer.errors?.map((e) => e.extensions?.code) ?? []);
      const expected = new Set(['UPSTREAM_UNAVAILABLE', 'IDEMPOTENCY_KEY_IN_USE']);
      expect(codes.filter((code) => !expected.has(code ?? ''))).toEqual([]);

      // The payment sent right after the kill needed the dead master: the failover was felt.
      expect(codes.length).toBeGreaterThan(0);

      // After the failover, a retry of every key names exactly one charge, the one already made.
      const retries: PaymentAnswer[] = [];
      for (const [i, input] of inputs.entries()) {
        let answer = await graphql(i % 2 === 0 ? b : a, auth, PAY, { input });
        await waitFor(async () => {
          if (answer.errors === undefined) return true;
          answer = await graphql(i % 2 === 0 ? b : a, auth, PAY, { input });
          return false;
        }).catch((error: Error) => {
          throw new Error(
            `${error.message}: payment ${i} still answers ${JSON.stringify(answer.errors)}`,
          );
        });
        retries.push(answer);
        const charges = await chargesFor(input.deliveryId);
        expect(charges).toHaveLength(1);
        expect(serviceId(answer.data?.payForDelivery?.charge?.id ?? '')).toBe(charges[0]?.id);
        const firstCharge = first[i]?.data?.payForDelivery?.charge?.id;
        if (firstCharge) expect(answer.data?.payForDelivery?.charge?.id).toBe(firstCharge);
      }
      expect(retries.filter((answer) => answer.status >= 500)).toEqual([]);
      console.info(
        `${name} failover: healed ${((healedAt - killedAt) / 1000).toFixed(1)} s after SIGKILL; ` +
          `${codes.length} of ${PAYMENTS} payments answered with a coded error meanwhile ` +
          `(${[...new Set(codes)].join(', ')}); after it, ${PAYMENTS} retries, ${PAYMENTS} charges`,
      );
    }, 60_000);
  });
}
