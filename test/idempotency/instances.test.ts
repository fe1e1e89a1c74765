import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { type BffProcess, startBffProcess, upstreamEnv } from '../helpers/bff-process.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';

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

async function token(accountId: string): Promise<string> {
  const answer = await fetch(`${mocks.urls.accounts}/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accountId, role: 'CUSTOMER' }),
  });
  return ((await answer.json()) as { token: string }).token;
}

async function graphql(
  base: string,
  auth: string,
  query: string,
  variables: Record<string, unknown>,
) {
  const answer = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await answer.json()) as {
    data?: Record<
      string,
      { charge?: { id: string }; delivery: { id: string; status?: string } }
    > | null;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
}

const SCHEDULE = `mutation ($input: ScheduleDeliveryInput!) { scheduleDelivery(input: $input) { delivery { id } } }`;
const PAY = `mutation ($input: PayForDeliveryInput!) {
  payForDelivery(input: $input) { charge { id } delivery { id } }
}`;

async function newDelivery(base: string, auth: string): Promise<string> {
  const answer = await graphql(base, auth, SCHEDULE, {
    input: {
      idempotencyKey: randomUUID(),
      pickup: { lat: 52.5, lng: 13.4 },
      dropoff: { lat: 52.45, lng: 13.38 },
      package: { size: 'SMALL', weightKg: 1 },
    },
  });
  const id = answer.data?.scheduleDelivery?.delivery.id;
  if (!id) throw new Error(`schedule failed: ${JSON.stringify(answer)}`);
  return id;
}

async function chargesFor(deliveryGlobalId: string): Promise<unknown[]> {
  const serviceId = Buffer.from(deliveryGlobalId, 'base64url').toString().split(':')[1];
  const answer = await fetch(`${mocks.urls.payments}/v1/charges?deliveryId=${serviceId}`);
  return ((await answer.json()) as { data: unknown[] }).data;
}

async function chargePosts(): Promise<number> {
  const stats = (await (await fetch(`${mocks.urls.payments}/__stats`)).json()) as {
    routes: Record<string, number>;
  };
  return stats.routes['POST /v1/charges'] ?? 0;
}

async function deliveryRecord(deliveryGlobalId: string): Promise<{ chargeId: string | null }> {
  const serviceId = Buffer.from(deliveryGlobalId, 'base64url').toString().split(':')[1];
  return (await (await fetch(`${mocks.urls.deliveries}/v1/deliveries/${serviceId}`)).json()) as {
    chargeId: string | null;
  };
}

describe('two BFF instances sharing Redis', () => {
  it('50 concurrent identical payments across both make exactly one charge', async () => {
    const [a, b] = await Promise.all([bff().url, bff().url]);
    const auth = await token('acc_0002');
    const delivery = await newDelivery(a, auth);
    const input = {
      idempotencyKey: randomUUID(),
      deliveryId: delivery,
      amountCents: 1500,
      currency: 'EUR',
    };

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => graphql(i % 2 === 0 ? a : b, auth, PAY, { input })),
    );

    const chargeIds = new Set(
      answers.flatMap((answer) => answer.data?.payForDelivery?.charge?.id ?? []),
    );
    const refusals = answers.flatMap(
      (answer) => answer.errors?.map((e) => e.extensions?.code) ?? [],
    );
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
    expect((await deliveryRecord(delivery)).chargeId).toBe(
      Buffer.from(chargeId ?? '', 'base64url')
        .toString()
        .split(':')[1],
    );
  });
});

/** Polls `condition` every 100 ms, up to 15 s: the test waits for a state, not for a time. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not reached in 15 s');
}
