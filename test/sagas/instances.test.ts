import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { type BffProcess, startBffProcess, upstreamEnv } from '../helpers/bff-process.js';
import { type MoneyState, moneyStateOf } from '../helpers/money.js';
import { graphql, PAY, type PaymentAnswer, payments, serviceId } from '../helpers/payments.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Sagas across BFF processes sharing one real Redis, killed with SIGKILL: nobody retries, and
 * every delivery still settles paid or not paid, by the completers of the instances left.
 */

let mocks: MockServices;
const processes: BffProcess[] = [];
const prefix = `skyway-test:${randomUUID()}:`;

/** Short leases and a busy completer: the test waits seconds, not minutes, for settling. */
const FAST = {
  REQUEST_TIMEOUT_MS: '1500',
  IDEMPOTENCY_LEASE_MS: '2000',
  SAGA_COMPLETER_IDLE_MS: '0',
};

beforeAll(async () => {
  mocks = await startMockServices({ seed: { accounts: 50 } });
});
afterAll(async () => {
  await Promise.all(processes.map((bff) => bff.stop('SIGKILL')));
  await mocks.close();
  await deleteKeys(prefix);
});

function bff(env: Record<string, string>): BffProcess {
  const started = startBffProcess({
    ...upstreamEnv(mocks),
    IDEMPOTENCY_STORE: testRedisUrl(),
    IDEMPOTENCY_KEY_PREFIX: prefix,
    ...FAST,
    ...env,
  });
  processes.push(started);
  return started;
}

const { token, newDelivery } = payments(() => mocks);

/** A GraphQL call that gives up after 5 s, and null if it fails: an instance may be killed under it. */
async function send(
  base: string,
  auth: string,
  query: string,
  input: Record<string, unknown>,
): Promise<PaymentAnswer | null> {
  try {
    return await graphql(base, auth, query, { input }, AbortSignal.timeout(5_000));
  } catch {
    return null;
  }
}

const CANCEL = `mutation ($input: CancelDeliveryInput!) { cancelDelivery(input: $input) { delivery { id } } }`;

async function chaos(service: 'payments' | 'deliveries', settings: object): Promise<void> {
  await fetch(`${mocks.urls[service]}/__chaos`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
}

/** The delivery's money state once it holds, or the last violation after the polls. */
async function settled(deliveryId: string, tries = 150): Promise<MoneyState> {
  let state: MoneyState | undefined;
  await waitFor(
    async () => {
      try {
        state = await moneyStateOf(mocks.urls, deliveryId);
        return true;
      } catch {
        return false;
      }
    },
    { tries },
  );
  return state as MoneyState;
}

describe('an instance killed the moment the charge returns, its client never retrying', () => {
  it('leaves the payment to another instance, which settles it: not paid, nothing in limbo', async () => {
    const doomed = bff({ SAGA_COMPLETER_INTERVAL_MS: '0' });
    const survivor = bff({ SAGA_COMPLETER_INTERVAL_MS: '200' });
    const [base] = await Promise.all([doomed.url, survivor.url]);
    const auth = await token('acc_0003');
    const delivery = await newDelivery(base, auth);

    // The link step hangs: the charge is authorized, then the instance dies.
    await chaos('deliveries', { hang: true, routes: ['POST /v1/deliveries/{id}/payment'] });
    const paying = send(base, auth, PAY, {
      idempotencyKey: randomUUID(),
      deliveryId: delivery,
      amountCents: 4200,
      currency: 'EUR',
    });
    await waitFor(async () => {
      const list = await fetch(
        `${mocks.urls.payments}/v1/charges?deliveryId=${serviceId(delivery)}`,
      );
      return ((await list.json()) as { data: unknown[] }).data.length === 1;
    });
    expect(await doomed.stop('SIGKILL')).toBeNull();
    expect(await paying).toBeNull();
    await chaos('deliveries', {});

    expect(await settled(serviceId(delivery))).toEqual({ state: 'unpaid' });
    const charges = mocks.data.chargeIdsByDelivery.get(serviceId(delivery)) ?? [];
    expect(charges.map((id) => mocks.data.charges.get(id)?.status)).toEqual(['REFUNDED']);
    await waitFor(async () => survivor.output().includes('taking over an abandoned saga'));
  }, 60_000);
});

describe('a few hundred random interleavings of schedule, pay and cancel', () => {
  it('end with every delivery paid or not paid, and every answer true', async () => {
    // Seeded, so a failure can be replayed: a small linear congruential generator.
    let seed = 20261130;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

    // Two instances take the traffic, their completers off; one is killed now and then.
    const quiet = { SAGA_COMPLETER_INTERVAL_MS: '0' };
    const instances = [bff(quiet), bff(quiet)];
    const bases = await Promise.all(instances.map((i) => i.url));
    const auth = await token('acc_0004');
    const deliveries = await Promise.all(
      Array.from({ length: 40 }, () => newDelivery(bases[0] ?? '', auth)),
    );

    interface Sent {
      kind: 'pay' | 'cancel';
      delivery: string;
      key: string;
      answer: PaymentAnswer | null;
    }
    const sent: Sent[] = [];
    const keys: Array<Pick<Sent, 'kind' | 'delivery' | 'key'>> = [];
    let kills = 0;

    for (let wave = 0; wave < 30; wave += 1) {
      await chaos('payments', {
        errorRate: pick([0, 0, 0.2]),
        latencyMs: pick([0, 50, 150]),
        routes: [
          'POST /v1/charges',
          'POST /v1/charges/{id}/capture',
          'POST /v1/charges/{id}/refund',
        ],
      });
      await chaos('deliveries', {
        errorRate: pick([0, 0, 0.2]),
        latencyMs: pick([0, 50]),
        routes: ['POST /v1/deliveries/{id}/payment', 'POST /v1/deliveries/{id}/cancel'],
      });
      const ops = Array.from({ length: 10 }, () => {
        // A third of the time, a retry of an earlier intent with its key.
        const retry = keys.length > 0 && random() < 0.33 ? pick(keys) : undefined;
        const op = retry ?? {
          kind: random() < 0.9 ? ('pay' as const) : ('cancel' as const),
          delivery: pick(deliveries),
          key: randomUUID(),
        };
        if (retry === undefined) keys.push(op);
        return op;
      });
      const killNow = wave % 6 === 3;
      const victim = Math.floor(random() * instances.length);
      const answers = ops.map(async (op) => {
        const base = bases[Math.floor(random() * bases.length)] ?? '';
        const input =
          op.kind === 'pay'
            ? {
                idempotencyKey: op.key,
                deliveryId: op.delivery,
                amountCents: 4200,
                currency: 'EUR',
              }
            : { idempotencyKey: op.key, deliveryId: op.delivery };
        const answer = await send(base, auth, op.kind === 'pay' ? PAY : CANCEL, input);
        sent.push({ ...op, answer });
      });
      if (killNow) {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 100)));
        await instances[victim]?.stop('SIGKILL');
        kills += 1;
      }
      await Promise.all(answers);
      if (killNow) {
        instances[victim] = bff(quiet);
        bases[victim] = await (instances[victim] as BffProcess).url;
      }
    }
    await chaos('payments', {});
    await chaos('deliveries', {});

    // Nobody retries now: two completers settle what was left, never the same saga twice.
    const settlers = [
      bff({ SAGA_COMPLETER_INTERVAL_MS: '100' }),
      bff({ SAGA_COMPLETER_INTERVAL_MS: '100' }),
    ];
    await Promise.all(settlers.map((s) => s.url));
    const states = new Map<string, MoneyState>();
    for (const delivery of deliveries) {
      states.set(delivery, await settled(serviceId(delivery), 300));
    }

    expect(sent.length).toBe(300);
    expect(kills).toBe(5);
    for (const op of sent) {
      const state = states.get(op.delivery);
      const error = op.answer?.errors?.[0]?.extensions;
      // Only a cancel gives money back: one that succeeded, or one whose client never learned
      // (its instance died, or it was told an outage) and that the completer finished.
      const cancelled = mocks.data.deliveries.get(serviceId(op.delivery))?.status === 'CANCELLED';
      const cancelSent = sent.some(
        (other) =>
          other.kind === 'cancel' &&
          other.delivery === op.delivery &&
          other.answer?.errors?.[0]?.extensions?.code !== 'INVALID_STATE',
      );
      if (op.kind === 'cancel' && op.answer?.data) {
        // A successful cancel means the money came back.
        expect(cancelled).toBe(true);
        expect(state).toEqual({ state: 'unpaid' });
      }
      if (op.kind === 'pay' && op.answer?.data) {
        // A charge means paid, unless a cancel refunded it later.
        const chargeId = serviceId(op.answer.data.payForDelivery?.charge?.id ?? '');
        if (cancelled) {
          expect(cancelSent).toBe(true);
          expect(state).toEqual({ state: 'unpaid' });
        } else {
          expect(state).toEqual({ state: 'paid', chargeId });
        }
      }
      if (op.kind === 'pay' && (error?.code === 'INVALID_STATE' || error?.code === 'NOT_FOUND')) {
        expect(error.moneyKept).toBe(false);
      }
    }
    const outcomes = {
      paid: [...states.values()].filter((s) => s.state === 'paid').length,
      unpaid: [...states.values()].filter((s) => s.state === 'unpaid').length,
      unanswered: sent.filter((op) => op.answer === null).length,
    };
    // Both endings occur, and some requests died with their instance: the run tested something.
    expect(outcomes.paid).toBeGreaterThan(0);
    expect(outcomes.unpaid).toBeGreaterThan(0);
    expect(outcomes.unanswered).toBeGreaterThan(0);
  }, 180_000);
});
