import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries, allDeliveries, getJson } from '../helpers/upstream-data.js';

/** The contract's three mutations, written through the mock services. */

let harness: Harness;
let ownerId: string;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  ownerId = await accountWithDeliveries(harness, 5);
  token = await harness.token(ownerId);
});
afterAll(() => harness.close());

const scheduleInput = (idempotencyKey: string) => ({
  idempotencyKey,
  pickup: { lat: 52.52, lng: 13.4 },
  dropoff: { lat: 52.5, lng: 13.35 },
  package: { size: 'SMALL', weightKg: 1.5, tag: 'books' },
});

interface Scheduled {
  scheduleDelivery: {
    delivery: { id: string; status: string; package: { id: string; weightKg: number } };
  };
}

async function schedule(key = randomUUID()) {
  const { body } = await harness.graphql<Scheduled>(operation('ScheduleDelivery'), {
    token,
    variables: { input: scheduleInput(key) },
  });
  expect(body.errors).toBeUndefined();
  return body.data?.scheduleDelivery.delivery as Scheduled['scheduleDelivery']['delivery'];
}

describe('scheduleDelivery', () => {
  it('creates a package and a SCHEDULED delivery owned by the caller', async () => {
    const delivery = await schedule();
    expect(delivery.status).toBe('SCHEDULED');
    expect(delivery.package.weightKg).toBe(1.5);
    const serviceId = Buffer.from(delivery.id, 'base64url').toString().split(':')[1];
    const stored = await getJson<{ ownerId: string }>(
      harness,
      'deliveries',
      `/v1/deliveries/${serviceId}`,
    );
    expect(stored.ownerId).toBe(ownerId);
  });

  it('returns the first result when retried with the same key, creating nothing more', async () => {
    const key = randomUUID();
    await harness.reset();
    const first = await schedule(key);
    const again = await schedule(key);
    expect(again).toEqual(first);
    const writes = (await harness.stats('deliveries')).recent.filter((r) => r.method === 'POST');
    // The retry was answered from the BFF's idempotency record: no second write upstream.
    expect(writes.map((w) => w.status)).toEqual([201]);
    const mine = await allDeliveries(harness, { ownerId, status: 'SCHEDULED' });
    expect(mine.filter((d) => encodeGlobalId('Delivery', d.id) === first.id)).toHaveLength(1);
  });

  it('refuses bad input with BAD_USER_INPUT before any upstream call', async () => {
    await harness.reset();
    const bad = [
      { ...scheduleInput(randomUUID()), idempotencyKey: '' },
      { ...scheduleInput('x'.repeat(256)) },
      { ...scheduleInput(randomUUID()), pickup: { lat: 91, lng: 0 } },
      { ...scheduleInput(randomUUID()), package: { size: 'SMALL', weightKg: 0 } },
      {
        ...scheduleInput(randomUUID()),
        package: { size: 'SMALL', weightKg: 1, tag: 't'.repeat(65) },
      },
    ];
    for (const input of bad) {
      const { body } = await harness.graphql(operation('ScheduleDelivery'), {
        token,
        variables: { input },
      });
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    const { packages, deliveries } = await harness.callCounts();
    expect(packages + deliveries).toBe(0);
  });

  it('needs a caller', async () => {
    const { body } = await harness.graphql(operation('ScheduleDelivery'), {
      variables: { input: scheduleInput(randomUUID()) },
    });
    expect(body.data).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('payForDelivery', () => {
  interface Paid {
    payForDelivery: {
      charge: { id: string; amountCents: number; currency: string; status: string };
      delivery: { id: string };
    };
  }
  const pay = (deliveryId: string, idempotencyKey: string, amountCents = 1299) =>
    harness.graphql<Paid>(operation('PayForDelivery'), {
      token,
      variables: { input: { idempotencyKey, deliveryId, amountCents, currency: 'EUR' } },
    });

  it('charges once and links the charge to the delivery, also when retried', async () => {
    const delivery = await schedule();
    const key = randomUUID();
    const first = await pay(delivery.id, key);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.payForDelivery.charge).toMatchObject({
      amountCents: 1299,
      currency: 'EUR',
      status: 'SUCCEEDED',
    });
    const again = await pay(delivery.id, key);
    expect(again.body).toEqual(first.body);

    const serviceId = Buffer.from(delivery.id, 'base64url').toString().split(':')[1];
    const charges = await getJson<{ data: Array<{ id: string }> }>(
      harness,
      'payments',
      `/v1/charges?deliveryId=${serviceId}`,
    );
    expect(charges.data.map((c) => encodeGlobalId('Charge', c.id))).toEqual([
      first.body.data?.payForDelivery.charge.id,
    ]);
  });

  it('refuses to pay twice with INVALID_STATE and to reuse a key with other input', async () => {
    const delivery = await schedule();
    const key = randomUUID();
    expect((await pay(delivery.id, key)).body.errors).toBeUndefined();
    const twice = await pay(delivery.id, randomUUID());
    expect(twice.body.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_STATE']);
    const reused = await pay(delivery.id, key, 500);
    expect(reused.body.errors?.map((e) => e.extensions?.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('gives the same NOT_FOUND for an unknown delivery and a foreign one', async () => {
    const missing = await pay(encodeGlobalId('Delivery', 'del_999999'), randomUUID());
    expect(missing.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(missing.body.errors?.[0]?.message).toBe('The delivery does not exist.');
    const page = await getJson<{ data: Array<{ id: string; ownerId: string }> }>(
      harness,
      'deliveries',
      '/v1/deliveries?limit=50',
    );
    const foreign = page.data.find((d) => d.ownerId !== ownerId);
    const refused = await pay(encodeGlobalId('Delivery', foreign?.id ?? ''), randomUUID());
    // Word for word the same answer: "not yours" cannot be told from "not there".
    expect(refused.body.errors).toEqual(missing.body.errors);
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', moneyKept: false });
    const wrongType = await pay(encodeGlobalId('Drone', 'drn_001'), randomUUID());
    expect(wrongType.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('cancelDelivery', () => {
  const cancel = (deliveryId: string, idempotencyKey = randomUUID()) =>
    harness.graphql<{ cancelDelivery: { delivery: { id: string; status: string } } }>(
      operation('CancelDelivery'),
      {
        token,
        variables: { input: { idempotencyKey, deliveryId } },
      },
    );

  it('cancels a scheduled delivery', async () => {
    const delivery = await schedule();
    const { body } = await cancel(delivery.id);
    expect(body.data?.cancelDelivery.delivery).toEqual({ id: delivery.id, status: 'CANCELLED' });
  });

  it('refuses to cancel a delivered delivery with INVALID_STATE', async () => {
    const delivered = (await allDeliveries(harness, { ownerId, status: 'DELIVERED' }))[0];
    if (!delivered) throw new Error('owner has no delivered delivery');
    const { body } = await cancel(encodeGlobalId('Delivery', delivered.id));
    expect(body.data).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_STATE']);
  });
});
