import { randomUUID } from 'node:crypto';
import type { MockServices } from '../../mock-services/index.js';

/**
 * A customer paying for deliveries through BFF processes, and the services' own view of what
 * was charged: what the tests of several instances sharing a store count.
 */

export interface PaymentAnswer {
  status: number;
  data?: Record<
    string,
    { charge?: { id: string }; delivery: { id: string; status?: string } }
  > | null;
  errors?: Array<{ extensions?: { code?: string; upstream?: string; moneyKept?: boolean } }>;
}

export const SCHEDULE = `mutation ($input: ScheduleDeliveryInput!) { scheduleDelivery(input: $input) { delivery { id } } }`;
export const PAY = `mutation ($input: PayForDeliveryInput!) {
  payForDelivery(input: $input) { charge { id } delivery { id } }
}`;

/** `mocks` is read at each call, so the helpers can be made before the services start. */
export function payments(mocks: () => MockServices) {
  async function token(accountId: string, role = 'CUSTOMER'): Promise<string> {
    const answer = await fetch(`${mocks().urls.accounts}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId, role }),
    });
    return ((await answer.json()) as { token: string }).token;
  }

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

  /** The charges the payments service holds for a delivery. */
  async function chargesFor(deliveryGlobalId: string): Promise<Array<{ id: string }>> {
    const answer = await fetch(
      `${mocks().urls.payments}/v1/charges?deliveryId=${serviceId(deliveryGlobalId)}`,
    );
    return ((await answer.json()) as { data: Array<{ id: string }> }).data;
  }

  /** POST /v1/charges calls the payments service has served. */
  async function chargePosts(): Promise<number> {
    const stats = (await (await fetch(`${mocks().urls.payments}/__stats`)).json()) as {
      routes: Record<string, number>;
    };
    return stats.routes['POST /v1/charges'] ?? 0;
  }

  async function deliveryRecord(deliveryGlobalId: string): Promise<{ chargeId: string | null }> {
    const url = `${mocks().urls.deliveries}/v1/deliveries/${serviceId(deliveryGlobalId)}`;
    return (await (await fetch(url)).json()) as { chargeId: string | null };
  }

  return { token, newDelivery, chargesFor, chargePosts, deliveryRecord };
}

export async function graphql(
  base: string,
  auth: string,
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<PaymentAnswer> {
  const answer = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  return { status: answer.status, ...((await answer.json()) as Omit<PaymentAnswer, 'status'>) };
}

/**
 * `times` identical payments of one delivery, one key for all, sent at once and alternating
 * between two BFF processes: what two instances sharing a store must answer with one charge.
 */
export async function racePayments(
  [a, b]: [string, string],
  auth: string,
  deliveryId: string,
  times = 50,
) {
  const input = { idempotencyKey: randomUUID(), deliveryId, amountCents: 1500, currency: 'EUR' };
  const answers = await Promise.all(
    Array.from({ length: times }, (_, i) => graphql(i % 2 === 0 ? a : b, auth, PAY, { input })),
  );
  return {
    answers,
    chargeIds: new Set(answers.flatMap((answer) => answer.data?.payForDelivery?.charge?.id ?? [])),
    codes: answers.flatMap((answer) => answer.errors?.map((e) => e.extensions?.code) ?? []),
  };
}

/** The service's own id inside a global id. */
export function serviceId(globalId: string): string {
  return Buffer.from(globalId, 'base64url').toString().split(':')[1] ?? '';
}
