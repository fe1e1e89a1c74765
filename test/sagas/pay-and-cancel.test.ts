import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fingerprint } from '../../src/idempotency/fingerprint.js';
import { scopeDigest, upstreamIdempotencyKey } from '../../src/idempotency/keys.js';
import { scheduleDelivery } from '../helpers/deliveries.js';
import { type GraphQLAnswer, type Harness, startHarness } from '../helpers/harness.js';
import { moneyStateOf } from '../helpers/money.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Payment and cancellation of one delivery, raced and abandoned, against the real mock
 * services: whatever the interleaving, each delivery ends paid or not paid (test/helpers/
 * money.ts), and what the app was told matches it. The completer is run by hand here
 * (SAGA_COMPLETER_INTERVAL_MS=0), with no idle time, so each test decides when it looks.
 */

let harness: Harness;
let token: string;
const OWNER = 'acc_0001';

beforeAll(async () => {
  harness = await startHarness({
    SAGA_COMPLETER_INTERVAL_MS: '0',
    SAGA_COMPLETER_IDLE_MS: '0',
    SAGA_MAX_ATTEMPTS: '2',
  });
  token = await harness.token(OWNER);
});
beforeEach(async () => {
  // Sagas an earlier test left behind are settled first, so each test counts its own.
  while ((await completer().runOnce()) > 0);
});
afterEach(async () => {
  vi.useRealTimers();
  await harness.chaos('payments', {});
  await harness.chaos('deliveries', {});
});
afterAll(() => harness.close());

interface Payload {
  charge?: { id: string; status: string } | null;
  delivery?: { id: string; status: string; charge?: { id: string; status: string } | null };
}
type Answer = GraphQLAnswer<Record<string, Payload>>;

const urls = () => harness.mocks.urls;
const serviceId = (globalId: string) =>
  Buffer.from(globalId, 'base64url').toString().split(':')[1] ?? '';
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;
const completer = () => harness.server.skyway.completer;
const events = () => harness.server.skyway.sagaEvents;

const newDelivery = () => scheduleDelivery(harness, token);

const pay = (deliveryId: string, idempotencyKey = randomUUID()): Promise<Answer> =>
  harness.graphql(
    `mutation ($input: PayForDeliveryInput!) {
      payForDelivery(input: $input) { charge { id status } delivery { id status } }
    }`,
    {
      token,
      variables: { input: { idempotencyKey, deliveryId, amountCents: 4200, currency: 'EUR' } },
    },
  );

const cancel = (deliveryId: string, idempotencyKey = randomUUID()): Promise<Answer> =>
  harness.graphql(
    `mutation ($input: CancelDeliveryInput!) {
      cancelDelivery(input: $input) { delivery { id status charge { id status } } }
    }`,
    { token, variables: { input: { idempotencyKey, deliveryId } } },
  );

/** Answers to a payment must say what happened: a charge means paid, else no money kept. */
function expectHonestPayment(answer: Answer): 'charged' | 'refused' {
  if (answer.body.errors === undefined) return 'charged';
  expect(answer.body.errors[0]?.extensions).toMatchObject({ moneyKept: false });
  return 'refused';
}

describe('a payment racing a cancel, payments slowed by 700 ms', () => {
  it.each([0, 150, 350, 600, 900])(
    'ends consistent with the cancel sent %i ms after the payment',
    async (offsetMs) => {
      const delivery = await newDelivery();
      await harness.chaos('payments', {
        latencyMs: 700,
        routes: ['POST /v1/charges', 'POST /v1/charges/{id}/capture'],
      });
      const payKey = randomUUID();
      const paying = pay(delivery, payKey);
      await delay(offsetMs);
      const cancelled = await cancel(delivery);
      const paid = await paying;
      await harness.chaos('payments', {});

      const told = expectHonestPayment(paid);
      const state = await moneyStateOf(urls(), serviceId(delivery));
      if (cancelled.body.errors === undefined) {
        // A successful cancel means the money came back (or was never taken).
        expect(state).toEqual({ state: 'unpaid' });
        // What the cancel answered shows the money back, if the payment had linked a charge.
        const charge = cancelled.body.data?.cancelDelivery?.delivery?.charge;
        if (charge) expect(charge.status).toBe('REFUNDED');
      } else {
        expect(codeOf(cancelled)).toBe('INVALID_STATE');
        expect(told).toBe('charged');
        expect(state.state).toBe('paid');
      }
      if (told === 'charged' && state.state === 'unpaid') {
        // Paid first, then refunded by the cancel: the charge says so.
        expect(cancelled.body.errors).toBeUndefined();
      }
      // A retry with the same key tells the same story, from what is true now.
      const again = await pay(delivery, payKey);
      expect(expectHonestPayment(again)).toBe(told);
    },
  );
});

describe('cancelling a paid delivery', () => {
  it('refunds the charge in full, and the charge says REFUNDED', async () => {
    const delivery = await newDelivery();
    const paid = await pay(delivery);
    const chargeId = paid.body.data?.payForDelivery?.charge?.id;
    expect(chargeId).toBeDefined();
    expect((await moneyStateOf(urls(), serviceId(delivery))).state).toBe('paid');

    const cancelled = await cancel(delivery);
    expect(cancelled.body.errors).toBeUndefined();
    expect(cancelled.body.data?.cancelDelivery).toMatchObject({
      delivery: { status: 'CANCELLED', charge: { id: chargeId, status: 'REFUNDED' } },
    });
    expect(await moneyStateOf(urls(), serviceId(delivery))).toEqual({ state: 'unpaid' });
    const charge = harness.mocks.data.charges.get(serviceId(chargeId ?? ''));
    expect(charge?.amountRefundedCents).toBe(4200);
  });
});

describe('ten devices paying one delivery, each with its own key', () => {
  it('take the money once; every other device is told no money was kept', async () => {
    const delivery = await newDelivery();
    const answers = await Promise.all(Array.from({ length: 10 }, () => pay(delivery)));
    const told = answers.map(expectHonestPayment);
    expect(told.filter((t) => t === 'charged')).toHaveLength(1);
    expect(answers.filter((a) => codeOf(a) === 'INVALID_STATE')).toHaveLength(9);
    const state = await moneyStateOf(urls(), serviceId(delivery));
    const winner = answers.find((a) => a.body.errors === undefined);
    expect(state).toEqual({
      state: 'paid',
      chargeId: serviceId(winner?.body.data?.payForDelivery?.charge?.id ?? ''),
    });
  });
});

/** A paid delivery cancelled while payments refuses refunds: its client told an error. */
async function cancelledWithRefundFailing(): Promise<string> {
  const delivery = await newDelivery();
  expect(expectHonestPayment(await pay(delivery))).toBe('charged');
  await harness.chaos('payments', {
    errorRate: 1,
    errorStatus: 503,
    routes: ['POST /v1/charges/{id}/refund'],
  });
  expect(codeOf(await cancel(delivery))).toBe('UPSTREAM_UNAVAILABLE');
  return delivery;
}

describe('a saga whose client gives up', () => {
  it('undoes a payment left between its steps, and a retry is told no money was kept', async () => {
    const delivery = await newDelivery();
    await harness.chaos('deliveries', {
      errorRate: 1,
      errorStatus: 503,
      routes: ['POST /v1/deliveries/{id}/payment'],
    });
    const key = randomUUID();
    const first = await pay(delivery, key);
    expect(codeOf(first)).toBe('UPSTREAM_UNAVAILABLE');
    // Authorized and unlinked: the limbo a client that never comes back would leave.
    await expect(moneyStateOf(urls(), serviceId(delivery))).rejects.toThrow(/PENDING/);
    await harness.chaos('deliveries', {});

    const before = {
      resumed: events().count('payForDelivery', 'resumed'),
      compensated: events().count('payForDelivery', 'compensated'),
    };
    expect(await completer().runOnce()).toBe(1);
    expect(await completer().runOnce()).toBe(0);
    expect(events().count('payForDelivery', 'resumed')).toBe(before.resumed + 1);
    expect(events().count('payForDelivery', 'compensated')).toBe(before.compensated + 1);
    expect(await moneyStateOf(urls(), serviceId(delivery))).toEqual({ state: 'unpaid' });

    const retry = await pay(delivery, key);
    expect(codeOf(retry)).toBe('INVALID_STATE');
    expect(retry.body.errors?.[0]?.extensions?.moneyKept).toBe(false);
    // Released, the delivery can be paid again with a new key.
    expect(expectHonestPayment(await pay(delivery))).toBe('charged');
  });

  it('finishes the refund of a cancel left half-way', async () => {
    const delivery = await cancelledWithRefundFailing();
    await expect(moneyStateOf(urls(), serviceId(delivery))).rejects.toThrow(/money kept/);
    await harness.chaos('payments', {});

    const completed = events().count('cancelDelivery', 'completed');
    expect(await completer().runOnce()).toBe(1);
    expect(events().count('cancelDelivery', 'completed')).toBe(completed + 1);
    expect(await moneyStateOf(urls(), serviceId(delivery))).toEqual({ state: 'unpaid' });
  });

  it('undoes what an attempt that died wrote unrecorded, when its client retries after a cancel', async () => {
    const delivery = await newDelivery();
    const key = randomUUID();
    const payment = { deliveryId: serviceId(delivery), amountCents: 4200, currency: 'EUR' };
    const keys = { callerId: OWNER, mutation: 'payForDelivery', clientKey: key };
    // The first attempt began its record and authorized at payments, then died before it
    // could record the step.
    await harness.server.skyway.idempotency.store.begin(scopeDigest(keys), {
      fingerprint: fingerprint(['payForDelivery', payment]),
      owner: 'an attempt that died',
      leaseMs: 1,
      retentionMs: 60_000,
      resume: '{}',
    });
    await fetch(`${urls().payments}/v1/charges`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': upstreamIdempotencyKey(keys, 'authorize'),
      },
      body: JSON.stringify({ ...payment, capture: false }),
    });
    // The delivery is cancelled meanwhile: nothing linked, so the cancel has nothing to refund.
    expect((await cancel(delivery)).body.errors).toBeUndefined();
    await expect(moneyStateOf(urls(), serviceId(delivery))).rejects.toThrow(/PENDING/);

    // The retry must not stop at "cancelled": it replays the authorization and releases it.
    const retry = await pay(delivery, key);
    expect(codeOf(retry)).toBe('INVALID_STATE');
    expect(retry.body.errors?.[0]?.extensions?.moneyKept).toBe(false);
    expect(await moneyStateOf(urls(), serviceId(delivery))).toEqual({ state: 'unpaid' });
  });

  it('stops a request that outlived its lease: the completer that took over decides', async () => {
    const captures = async () =>
      (await harness.stats('payments')).routes['POST /v1/charges/{id}/capture'] ?? 0;
    const delivery = await newDelivery();
    await harness.chaos('payments', { latencyMs: 400, routes: ['POST /v1/charges/{id}/capture'] });
    const key = randomUUID();
    const before = await captures();
    const paying = pay(delivery, key);
    // Wait until the capture has reached payments (which holds it 400 ms).
    await waitFor(async () => (await captures()) > before, { everyMs: 20 });
    // The request stalls past its lease (a long pause of its process, say): the completer
    // takes the saga over and, without a client, releases the payment.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + harness.config.idempotency.leaseMs + 1_000);
    expect(await completer().runOnce()).toBe(1);
    vi.useRealTimers();

    // The stalled request stops at its next step, whatever that step's answer: the saga is the
    // completer's now, so the client learns the outcome by retrying (had it gone on, a capture
    // that beat the release would have answered "paid" for money given back).
    const answer = await paying;
    expect(codeOf(answer)).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(await moneyStateOf(urls(), serviceId(delivery))).toEqual({ state: 'unpaid' });
    const retry = await pay(delivery, key);
    expect(codeOf(retry)).toBe('INVALID_STATE');
    expect(retry.body.errors?.[0]?.extensions?.moneyKept).toBe(false);
  });

  it('is stuck after its tries, logged and counted, never silent', async () => {
    await cancelledWithRefundFailing();
    const stuck = events().count('cancelDelivery', 'stuck');
    // Each failed try is put off (5 s, then 10 s): the clock is moved past each wait.
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      expect(await completer().runOnce()).toBe(1);
      vi.setSystemTime(Date.now() + 61_000);
    }
    expect(await completer().runOnce()).toBe(0);
    expect(events().count('cancelDelivery', 'stuck')).toBe(stuck + 1);
    // An hour later it is tried again (and reported again) once payments is back.
    await harness.chaos('payments', {});
    vi.setSystemTime(Date.now() + 61 * 60_000);
    // Past its tries it stays stuck: counted again, and left for a person.
    expect(await completer().runOnce()).toBe(0);
    expect(events().count('cancelDelivery', 'stuck')).toBe(stuck + 2);
  });
});
