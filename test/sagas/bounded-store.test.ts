import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory-store.js';
import { scheduleDelivery } from '../helpers/deliveries.js';
import { type GraphQLAnswer, type Harness, startHarness } from '../helpers/harness.js';
import { moneyStateOf } from '../helpers/money.js';
import { getJson } from '../helpers/upstream-data.js';

/**
 * The memory store's bound against money in flight, through the BFF and the real mock
 * services, with a store of 20 records: a payment abandoned between its steps keeps its record
 * however many mutations come after it, so the completer still finds it and releases its
 * charge; and a store holding only sagas not finished refuses a new mutation, writing nothing,
 * rather than forget one of them. The completer is run by hand on a faked Date, so no test
 * waits out its idle time.
 */

const MAX_RECORDS = 20;
const IDLE_MS = 3_000;
const OWNER = 'acc_0001';
const CAPTURE = 'POST /v1/charges/{id}/capture';

let harness: Harness;
let token: string;
/** A delivery of OWNER's that a drone already delivered: cancelling it is refused. */
let delivered: string;

beforeAll(async () => {
  harness = await startHarness({
    IDEMPOTENCY_MAX_RECORDS: String(MAX_RECORDS),
    SAGA_COMPLETER_IDLE_MS: String(IDLE_MS),
    SAGA_COMPLETER_INTERVAL_MS: '0',
  });
  token = await harness.token(OWNER);
  const { data } = await getJson<{ data: Array<{ id: string }> }>(
    harness,
    'deliveries',
    `/v1/deliveries?ownerId=${OWNER}&status=DELIVERED&limit=1`,
  );
  delivered = Buffer.from(`Delivery:${data[0]?.id}`).toString('base64url');
});
afterEach(async () => {
  vi.useRealTimers();
  await harness.chaos('payments', {});
});
afterAll(() => harness.close());

type Answer = GraphQLAnswer<Record<string, unknown>>;

const urls = () => harness.mocks.urls;
const serviceId = (globalId: string) =>
  Buffer.from(globalId, 'base64url').toString().split(':')[1] ?? '';
const extensionsOf = (answer: Answer) => answer.body.errors?.[0]?.extensions;
const codeOf = (answer: Answer) => extensionsOf(answer)?.code;
const completer = () => harness.server.skyway.completer;
const store = () => {
  const { store } = harness.server.skyway.idempotency;
  if (!(store instanceof MemoryIdempotencyStore)) throw new Error('not the memory store');
  return store;
};

const PAY = `mutation ($input: PayForDeliveryInput!) {
  payForDelivery(input: $input) { charge { id status } delivery { id status } }
}`;
const payment = (deliveryId: string, idempotencyKey: string) => ({
  input: { idempotencyKey, deliveryId, amountCents: 4200, currency: 'EUR' },
});

const pay = (deliveryId: string, idempotencyKey = randomUUID()): Promise<Answer> =>
  harness.graphql(PAY, { token, variables: payment(deliveryId, idempotencyKey) });

const cancel = (deliveryId: string, idempotencyKey = randomUUID()): Promise<Answer> =>
  harness.graphql(
    `mutation ($input: CancelDeliveryInput!) {
      cancelDelivery(input: $input) { delivery { id status } }
    }`,
    { token, variables: { input: { idempotencyKey, deliveryId } } },
  );

interface Writes {
  charges: number;
  captures: number;
  refunds: number;
  cancels: number;
}

/** Writes the services have served, counted at the mocks. */
async function writes(): Promise<Writes> {
  const [payments, deliveries] = await Promise.all([
    harness.stats('payments'),
    harness.stats('deliveries'),
  ]);
  return {
    charges: payments.routes['POST /v1/charges'] ?? 0,
    captures: payments.routes[CAPTURE] ?? 0,
    refunds: payments.routes['POST /v1/charges/{id}/refund'] ?? 0,
    cancels: deliveries.routes['POST /v1/deliveries/{id}/cancel'] ?? 0,
  };
}

const since = (before: Writes, after: Writes): Writes => ({
  charges: after.charges - before.charges,
  captures: after.captures - before.captures,
  refunds: after.refunds - before.refunds,
  cancels: after.cancels - before.cancels,
});

/** Moves the clock past the completer's idle time and lets it settle everything it finds. */
async function completerLooksLater(): Promise<number> {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  vi.setSystemTime(Date.now() + IDLE_MS + 5_000);
  let settled = 0;
  for (let ran = await completer().runOnce(); ran > 0; ran = await completer().runOnce()) {
    settled += ran;
  }
  return settled;
}

describe('a payment abandoned after its capture failed', () => {
  it('is released by the completer after more mutations than the store holds: nothing left PENDING', async () => {
    const delivery = await scheduleDelivery(harness, token);
    await harness.chaos('payments', { errorRate: 1, routes: [CAPTURE] });
    const start = await writes();
    const key = randomUUID();
    expect(codeOf(await pay(delivery, key))).toBe('UPSTREAM_UNAVAILABLE');
    // Authorized and linked to the delivery, not captured: no retry comes.
    await expect(moneyStateOf(urls(), serviceId(delivery))).rejects.toThrow(/PENDING/);
    const abandoned = await writes();
    expect(since(start, abandoned)).toMatchObject({ charges: 1, refunds: 0 });

    // Other mutations, more than the store holds; refused cancels are records too.
    for (let i = 0; i < MAX_RECORDS + 5; i += 1) {
      expect(codeOf(await cancel(delivered))).toBe('INVALID_STATE');
    }
    expect(store().size).toBeLessThanOrEqual(MAX_RECORDS);
    const filled = await writes();
    expect(since(abandoned, filled)).toMatchObject({ refunds: 0, cancels: MAX_RECORDS + 5 });

    expect(await completerLooksLater()).toBe(1);
    // Released, never captured: one refund, no capture tried without the client.
    expect(since(filled, await writes())).toEqual({
      charges: 0,
      captures: 0,
      refunds: 1,
      cancels: 0,
    });
    expect(await moneyStateOf(urls(), serviceId(delivery))).toEqual({ state: 'unpaid' });
    const [charge] = harness.mocks.data.chargeIdsByDelivery.get(serviceId(delivery)) ?? [];
    expect(harness.mocks.data.charges.get(charge ?? '')?.status).toBe('REFUNDED');

    // Its retry is told what happened; the delivery can be paid with a new key.
    const retry = await pay(delivery, key);
    expect(extensionsOf(retry)).toMatchObject({ code: 'INVALID_STATE', moneyKept: false });
    expect(retry.body.errors?.[0]?.message).toMatch(/released/);
    await harness.chaos('payments', {});
    expect((await pay(delivery)).body.errors).toBeUndefined();
    expect((await moneyStateOf(urls(), serviceId(delivery))).state).toBe('paid');
    expect(store().size).toBeLessThanOrEqual(MAX_RECORDS);
  });
});

describe('a store holding only sagas not finished', () => {
  it('refuses a new mutation without writing, and takes it once the completer settled them', async () => {
    const deliveries: string[] = [];
    for (let i = 0; i < MAX_RECORDS; i += 1)
      deliveries.push(await scheduleDelivery(harness, token));
    await harness.chaos('payments', { errorRate: 1, routes: [CAPTURE] });
    for (const delivery of deliveries) {
      expect(codeOf(await pay(delivery))).toBe('UPSTREAM_UNAVAILABLE');
    }
    expect(store().size).toBe(MAX_RECORDS);

    // Full of payments in flight: a new mutation is refused before it runs.
    const before = await writes();
    const key = randomUUID();
    const refused = await cancel(deliveries[0] ?? '', key);
    expect(extensionsOf(refused)).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: 'idempotency-store',
      reason: 'STORE_FULL',
    });
    expect(since(before, await writes())).toEqual({
      charges: 0,
      captures: 0,
      refunds: 0,
      cancels: 0,
    });

    // Their clients never come back: the completer releases every one.
    expect(await completerLooksLater()).toBe(MAX_RECORDS);
    expect(since(before, await writes())).toMatchObject({ refunds: MAX_RECORDS, captures: 0 });
    for (const delivery of deliveries) {
      expect(await moneyStateOf(urls(), serviceId(delivery))).toEqual({ state: 'unpaid' });
    }

    // Settled, their records make room: the refused cancel, retried with its key, runs.
    const retried = await cancel(deliveries[0] ?? '', key);
    expect(retried.body.errors).toBeUndefined();
    expect(since(before, await writes()).cancels).toBe(1);
    expect(store().size).toBe(MAX_RECORDS);
  });
});
