import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { type BffProcess, startBffProcess, upstreamEnv } from '../helpers/bff-process.js';
import { graphql, PAY, payments, racePayments, serviceId } from '../helpers/payments.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Several BFF processes sharing one real Redis, as behind a load balancer: concurrent
 * double-taps spread over two instances, and an instance killed between two steps.
 */

let mocks: MockServices;
const processes: BffProcess[] = [];
const prefix = `skyway-test:${randomUUID()}:`;

beforeAll(async () => {
  mocks = await startMockServices();
});
afterAll(async () => {
  await Promise.all(processes.map((bff) => bff.stop('SIGKILL')));
  await mocks.close();
  await deleteKeys(prefix);
});

function bff(env: Record<string, string> = {}): BffProcess {
  const started = startBffProcess({
    ...upstreamEnv(mocks),
    IDEMPOTENCY_STORE: testRedisUrl(),
    IDEMPOTENCY_KEY_PREFIX: prefix,
    ...env,
  });
  processes.push(started);
  return started;
}

const { token, newDelivery, chargesFor, chargePosts, deliveryRecord } = payments(() => mocks);

describe('two BFF instances sharing Redis', () => {
  it('50 concurrent identical payments across both make exactly one charge', async () => {
    const [a, b] = await Promise.all([bff().url, bff().url]);
    const auth = await token('acc_0002');
    const delivery = await newDelivery(a, auth);
    const { answers, chargeIds, codes: refusals } = await racePayments([a, b], auth, delivery);
    expect(chargeIds.size).toBe(1);
    expect(new Set(refusals)).toEqual(
      refusals.length > 0 ? new Set(['IDEMPOTENCY_KEY_IN_USE']) : new Set(),
    );
    expect(answers.every((answer) => answer.data?.payForDelivery || answer.errors)).toBe(true);
    expect(await chargesFor(delivery)).toHaveLength(1);
  });

  it('an instance killed between the charge and the payment step is taken over by another', async () => {
    const env = { REQUEST_TIMEOUT_MS: '5000', IDEMPOTENCY_LEASE_MS: '5500' };
    const first = bff(env);
    const auth = await token('acc_0003');
    const base = await first.url;
    const delivery = await newDelivery(base, auth);
    const input = {
      idempotencyKey: randomUUID(),
      deliveryId: delivery,
      amountCents: 4200,
      currency: 'EUR',
    };

    // The deliveries service hangs on the second step: the charge is made, the payment is not.
    await fetch(`${mocks.urls.deliveries}/__chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hang: true, routes: ['POST /v1/deliveries/{id}/payment'] }),
    });
    const inFlight = graphql(base, auth, PAY, { input }).catch(() => null);
    await waitFor(async () => (await chargesFor(delivery)).length === 1);
    expect(await first.stop('SIGKILL')).toBeNull();
    await inFlight;
    await fetch(`${mocks.urls.deliveries}/__chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });

    // A new instance; the client retries until the dead owner's lease has run out.
    const chargePostsBefore = await chargePosts();
    const second = await bff(env).url;
    let answer = await graphql(second, auth, PAY, { input });
    await waitFor(async () => {
      answer = await graphql(second, auth, PAY, { input });
      return answer.errors?.[0]?.extensions?.code !== 'IDEMPOTENCY_KEY_IN_USE';
    });

    expect(answer.errors).toBeUndefined();
    expect(await chargesFor(delivery)).toHaveLength(1);
    // Resumed from the recorded charge step: payments was not even asked again.
    expect(await chargePosts()).toBe(chargePostsBefore);
    const chargeId = answer.data?.payForDelivery?.charge?.id;
    expect((await deliveryRecord(delivery)).chargeId).toBe(serviceId(chargeId ?? ''));
  });
});
