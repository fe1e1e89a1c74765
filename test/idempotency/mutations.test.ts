import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { scheduleDelivery } from '../helpers/deliveries.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries, getJson } from '../helpers/upstream-data.js';

/** The idempotency guarantee through the BFF, counting writes at the services. */

let harness: Harness;
let token: string;
let ownerId: string;

beforeAll(async () => {
  harness = await startHarness({ IDEMPOTENCY_RETENTION_S: '1' });
  ownerId = await accountWithDeliveries(harness, 5);
  token = await harness.token(ownerId);
});
afterEach(() => harness.chaos('payments', {}).then(() => harness.chaos('deliveries', {})));
afterAll(() => harness.close());

interface Paid {
  payForDelivery: {
    charge: { id: string; amountCents: number; status: string };
    delivery: { id: string; status: string };
  };
}

const newDelivery = () => scheduleDelivery(harness, token);

const pay = (
  deliveryId: string,
  idempotencyKey: string,
  amountCents = 2500,
  query = operation('PayForDelivery'),
) =>
  harness.graphql<Paid>(query, {
    token,
    variables: { input: { idempotencyKey, deliveryId, amountCents, currency: 'EUR' } },
  });

const serviceId = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1];

async function writes(): Promise<{ charges: number; payments: number }> {
  const [payments, deliveries] = await Promise.all([
    harness.stats('payments'),
    harness.stats('deliveries'),
  ]);
  return {
    charges: payments.routes['POST /v1/charges'] ?? 0,
    payments: deliveries.routes['POST /v1/deliveries/{id}/payment'] ?? 0,
  };
}

const since = (before: { charges: number; payments: number }, after: typeof before) => ({
  charges: after.charges - before.charges,
  payments: after.payments - before.payments,
});

async function chargesOf(deliveryGlobalId: string) {
  const { data } = await getJson<{ data: Array<{ id: string }> }>(
    harness,
    'payments',
    `/v1/charges?deliveryId=${serviceId(deliveryGlobalId)}`,
  );
  return data;
}

const codes = (body: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
  body.errors?.map((e) => e.extensions?.code);

describe('a retried mutation', () => {
  it('writes once upstream and answers the first result again', async () => {
    const delivery = await newDelivery();
    const before = await writes();
    const key = randomUUID();
    const first = await pay(delivery, key);
    const again = await pay(delivery, key);

    expect(first.body.errors).toBeUndefined();
    expect(again.body).toEqual(first.body);
    expect(since(before, await writes())).toEqual({ charges: 1, payments: 1 });
    expect(await chargesOf(delivery)).toHaveLength(1);
  });

  it('answers a retry that selects other fields from the same outcome', async () => {
    const delivery = await newDelivery();
    const key = randomUUID();
    const first = await pay(delivery, key);
    const other = await pay(
      delivery,
      key,
      2500,
      `mutation ($input: PayForDeliveryInput!) {
        payForDelivery(input: $input) { charge { id createdAt currency } delivery { id eta charge { id } } }
      }`,
    );
    const chargeId = first.body.data?.payForDelivery.charge.id;
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data).toMatchObject({
      payForDelivery: {
        charge: { id: chargeId, currency: 'EUR' },
        delivery: { id: delivery, charge: { id: chargeId } },
      },
    });
  });

  it('with other input is refused with IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const delivery = await newDelivery();
    const key = randomUUID();
    await pay(delivery, key, 2500);
    const before = await writes();
    const reused = await pay(delivery, key, 9999);
    expect(codes(reused.body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(since(before, await writes())).toEqual({ charges: 0, payments: 0 });
  });

  it('while the first still runs is refused with IDEMPOTENCY_KEY_IN_USE, never run twice', async () => {
    const delivery = await newDelivery();
    const before = await writes();
    await harness.chaos('payments', { latencyMs: 300 });
    const key = randomUUID();
    const [a, b] = await Promise.all([pay(delivery, key), pay(delivery, key)]);
    const answers = [a.body, b.body].map((body) => codes(body)?.[0] ?? 'RESULT').sort();
    expect(answers).toEqual(['IDEMPOTENCY_KEY_IN_USE', 'RESULT']);
    expect(since(before, await writes()).charges).toBe(1);
  });

  it('replays a domain refusal without writing again (it reads the delivery to authorize the replay)', async () => {
    const { data } = await getJson<{ data: Array<{ id: string }> }>(
      harness,
      'deliveries',
      `/v1/deliveries?ownerId=${ownerId}&status=DELIVERED&limit=1`,
    );
    const delivered = Buffer.from(`Delivery:${data[0]?.id}`).toString('base64url');
    const cancel = (idempotencyKey: string) =>
      harness.graphql(operation('CancelDelivery'), {
        token,
        variables: { input: { idempotencyKey, deliveryId: delivered } },
      });
    const key = randomUUID();
    expect(codes((await cancel(key)).body)).toEqual(['INVALID_STATE']);
    await harness.reset();
    expect(codes((await cancel(key)).body)).toEqual(['INVALID_STATE']);
    const { routes } = await harness.stats('deliveries');
    expect(routes['POST /v1/deliveries/{id}/cancel'] ?? 0).toBe(0);
    expect(routes['GET /v1/deliveries'] ?? 0).toBe(1);
  });

  it('is authorized for the caller who replays it: another token of the account gets NOT_FOUND', async () => {
    // A dispatcher token of this account cancels another account's delivery with key K …
    const { data } = await getJson<{ data: Array<{ id: string; ownerId: string }> }>(
      harness,
      'deliveries',
      '/v1/deliveries?status=SCHEDULED&limit=50',
    );
    const foreign = data.find((d) => d.ownerId !== ownerId);
    const deliveryId = Buffer.from(`Delivery:${foreign?.id}`).toString('base64url');
    const key = randomUUID();
    const cancelAs = (auth: string) =>
      harness.graphql<{ cancelDelivery: { delivery: { owner: { email: string } } } }>(
        `mutation ($input: CancelDeliveryInput!) {
          cancelDelivery(input: $input) { delivery { id owner { email } } }
        }`,
        { token: auth, variables: { input: { idempotencyKey: key, deliveryId } } },
      );
    const dispatcher = await harness.token(ownerId, 'DISPATCHER');
    expect((await cancelAs(dispatcher)).body.errors).toBeUndefined();
    // … and a customer token of the same account sends K again: it may not see that delivery.
    const replayed = await cancelAs(token);
    expect(replayed.body.data).toBeNull();
    expect(codes(replayed.body)).toEqual(['NOT_FOUND']);
    expect(JSON.stringify(replayed.body)).not.toContain('@');
  });

  it('is authorized for the caller who resumes it after an outage, too', async () => {
    const { data } = await getJson<{ data: Array<{ id: string; ownerId: string }> }>(
      harness,
      'deliveries',
      '/v1/deliveries?status=CREATED&limit=50',
    );
    // Unpaid (CREATED deliveries have no charge in the seed), and someone else's.
    const foreign = data.find((d) => d.ownerId !== ownerId);
    const deliveryId = Buffer.from(`Delivery:${foreign?.id}`).toString('base64url');
    const key = randomUUID();
    // A dispatcher token of this account starts paying for another account's delivery; the
    // link fails, so the saga stops after its authorization, resumable with the same key.
    await harness.chaos('deliveries', {
      errorRate: 1,
      errorStatus: 503,
      routes: ['POST /v1/deliveries/{id}/payment'],
    });
    const dispatcher = await harness.token(ownerId, 'DISPATCHER');
    const payAs = (auth: string) =>
      harness.graphql(operation('PayForDelivery'), {
        token: auth,
        variables: {
          input: { idempotencyKey: key, deliveryId, amountCents: 2500, currency: 'EUR' },
        },
      });
    expect(codes((await payAs(dispatcher)).body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    await harness.chaos('deliveries', {});
    // A customer token of the same account sends the key again: it may not pay for it.
    const linksBefore = (await writes()).payments;
    const resumed = await payAs(token);
    expect(codes(resumed.body)).toEqual(['NOT_FOUND']);
    expect((await writes()).payments).toBe(linksBefore);
  });

  it('after invalid input stores nothing: the key still works with valid input', async () => {
    const delivery = await newDelivery();
    const key = randomUUID();
    expect(codes((await pay(delivery, key, -5)).body)).toEqual(['BAD_USER_INPUT']);
    expect((await pay(delivery, key, 2500)).body.errors).toBeUndefined();
  });
});

describe('a mutation interrupted between its steps', () => {
  it('resumes after the last completed step on retry: one charge, delivery paid', async () => {
    const delivery = await newDelivery();
    const before = await writes();
    await harness.chaos('deliveries', {
      errorRate: 1,
      errorStatus: 500,
      routes: ['POST /v1/deliveries/{id}/payment'],
    });
    const key = randomUUID();
    const failed = await pay(delivery, key);
    expect(codes(failed.body)).toEqual(['UPSTREAM_UNAVAILABLE']);

    await harness.chaos('deliveries', {});
    const retried = await pay(delivery, key);
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data?.payForDelivery.delivery.id).toBe(delivery);
    expect(since(before, await writes()).charges).toBe(1); // the charge step was not repeated
    expect(await chargesOf(delivery)).toHaveLength(1);
    expect(harness.server.skyway.idempotency.counters.resumed).toBeGreaterThanOrEqual(1);
  });
});

describe('retention', () => {
  // The memory store reads Date.now() late: faking Date alone (sockets and the services'
  // timers run as ever) moves its records' retention without waiting for it.
  afterEach(() => vi.useRealTimers());

  it('keeps the key through its retention and frees it once the retention has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const delivery = await newDelivery();
    const key = randomUUID();
    const first = await pay(delivery, key);
    expect(first.body.errors).toBeUndefined();
    const before = await writes();
    vi.advanceTimersByTime(999); // IDEMPOTENCY_RETENTION_S=1 in this file
    const replayed = await pay(delivery, key);
    expect(replayed.body).toEqual(first.body);
    vi.advanceTimersByTime(1);
    const later = await pay(delivery, key);
    // The BFF forgot the key, so the payment is a new one, for a delivery already paid: it is
    // refused before anything is written.
    expect(codes(later.body)).toEqual(['INVALID_STATE']);
    expect(since(before, await writes()).charges).toBe(0);
    expect(await chargesOf(delivery)).toHaveLength(1);
  });
});
