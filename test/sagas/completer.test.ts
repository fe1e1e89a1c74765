import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { scheduleDelivery } from '../helpers/deliveries.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { moneyStateOf } from '../helpers/money.js';

/**
 * The completer against a backlog: more abandoned sagas than one batch (20) are settled in one
 * look, so a backlog drains as fast as sagas run, and a look stops after its batch when the
 * completer is stopped. The interval is set long (its timer never fires during the test) and
 * the look is run by hand.
 */

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await startHarness({
    SAGA_COMPLETER_INTERVAL_MS: '600000',
    SAGA_COMPLETER_IDLE_MS: '0',
    // The failing link must not open the deliveries breaker: every payment gets as far.
    UPSTREAM_DELIVERIES_BREAKER_MIN_CALLS: '1000',
  });
  token = await harness.token('acc_0001');
});
afterAll(() => harness.close());
afterEach(() => vi.useRealTimers());

const completer = () => harness.server.skyway.completer;
const serviceId = (globalId: string) =>
  Buffer.from(globalId, 'base64url').toString().split(':')[1] ?? '';

/** `count` payments authorized and never linked, their clients gone, their leases over. */
async function abandonedPayments(count: number): Promise<string[]> {
  const deliveries: string[] = [];
  for (let i = 0; i < count; i++) deliveries.push(await scheduleDelivery(harness, token));
  await harness.chaos('deliveries', {
    errorRate: 1,
    errorStatus: 503,
    routes: ['POST /v1/deliveries/{id}/payment'],
  });
  for (const deliveryId of deliveries) {
    const { body } = await harness.graphql(
      'mutation ($input: PayForDeliveryInput!) { payForDelivery(input: $input) { charge { id } } }',
      {
        token,
        variables: {
          input: { idempotencyKey: randomUUID(), deliveryId, amountCents: 4200, currency: 'EUR' },
        },
      },
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  }
  await harness.chaos('deliveries', {});
  // Past every lease (the memory store reads `Date`): all of them are abandoned now.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + harness.config.idempotency.leaseMs + 1);
  return deliveries;
}

describe('a backlog of abandoned payments', () => {
  it('is settled in one look, batch after batch, every charge released', async () => {
    const deliveries = await abandonedPayments(25);
    expect(await completer().runOnce()).toBe(25);
    for (const delivery of deliveries) {
      expect(await moneyStateOf(harness.mocks.urls, serviceId(delivery))).toEqual({
        state: 'unpaid',
      });
    }
  });

  it('is left after the batch in hand when the completer stops', async () => {
    await abandonedPayments(25);
    const look = completer().runOnce();
    await completer().stop();
    expect(await look).toBe(20);
    // What is left waits for the next look (the next instance's, after a restart).
    expect(await completer().runOnce()).toBe(5);
  });
});
