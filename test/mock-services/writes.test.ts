import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Charge, Delivery, MockServices, Package } from '../../mock-services/index.js';
import { startMockServices } from '../../mock-services/index.js';
import { as, request, setChaos } from './helpers.js';

let mocks: MockServices;
beforeAll(async () => {
  mocks = await startMockServices({ seed: { accounts: 100 } });
});
beforeEach(() => mocks.reset());
afterAll(() => mocks.close());

const here = { lat: 52.52, lng: 13.405 };
const errorCode = (body: unknown) => as<{ error: { code: string; message: string } }>(body).error;

function post(url: string, body?: unknown, headers: Record<string, string> = {}) {
  return request(url, { method: 'POST', body, headers });
}

async function schedule(ownerId = 'acc_0001'): Promise<Delivery> {
  const pkg = await post(`${mocks.urls.packages}/v1/packages`, { size: 'SMALL', weightKg: 1.2 });
  const input = { ownerId, packageId: as<Package>(pkg.body).id, pickup: here, dropoff: here };
  const answer = await post(`${mocks.urls.deliveries}/v1/deliveries`, input);
  expect(answer.status).toBe(201);
  return as<Delivery>(answer.body);
}

function firstWith(status: Delivery['status']): string {
  const id = mocks.data.deliveryIdsByStatus[status][0];
  if (id === undefined) throw new Error(`no ${status} delivery in the seed`);
  return id;
}

describe('packages', () => {
  it('creates a package with the next id', async () => {
    const answer = await post(`${mocks.urls.packages}/v1/packages`, {
      size: 'MEDIUM',
      weightKg: 3.5,
      tag: 'gift',
    });
    expect(answer.status).toBe(201);
    const pkg = as<Package>(answer.body);
    expect(pkg).toEqual({ id: pkg.id, size: 'MEDIUM', weightKg: 3.5, tag: 'gift' });
    expect(pkg.id > (mocks.data.packageIds.at(-2) ?? '')).toBe(true);
    expect(mocks.data.packages.get(pkg.id)).toEqual(pkg);
  });

  it('refuses a bad body, naming the field', async () => {
    for (const body of [
      { size: 'HUGE', weightKg: 1 },
      { size: 'SMALL', weightKg: 30 },
      { size: 'SMALL', weightKg: 0 },
      { size: 'SMALL', weightKg: 1, tag: 'x'.repeat(65) },
      { size: 'SMALL', weightKg: 1, extra: 1 },
      [],
      'null',
    ]) {
      const answer = await post(`${mocks.urls.packages}/v1/packages`, body);
      expect(answer.status).toBe(400);
      expect(errorCode(answer.body).code).toBe('BAD_REQUEST');
    }
    const heavy = await post(`${mocks.urls.packages}/v1/packages`, { size: 'SMALL', weightKg: 30 });
    expect(errorCode(heavy.body).message).toMatch(/^body\.weightKg: /);
  });
});

describe('deliveries', () => {
  it('schedules a delivery: no drone, no charge, eta 45 minutes on, the largest id', async () => {
    const before = mocks.data.deliveryIds.at(-1) ?? '';
    const delivery = await schedule('acc_0003');
    expect(delivery).toMatchObject({
      ownerId: 'acc_0003',
      status: 'SCHEDULED',
      droneId: null,
      chargeId: null,
      pickup: here,
    });
    expect(Date.parse(delivery.eta ?? '') - Date.parse(delivery.createdAt)).toBe(45 * 60 * 1000);
    expect(delivery.id > before).toBe(true);
    const newest = await request(`${mocks.urls.deliveries}/v1/deliveries?ownerId=acc_0003&limit=1`);
    expect(as<{ data: Delivery[] }>(newest.body).data).toEqual([delivery]);
  });

  it('refuses unknown owners and packages, and coordinates off the globe', async () => {
    const unknownOwner = await post(`${mocks.urls.deliveries}/v1/deliveries`, {
      ownerId: 'acc_9999',
      packageId: 'pkg_000001',
      pickup: here,
      dropoff: here,
    });
    expect(unknownOwner.status).toBe(404);
    const offGlobe = await post(`${mocks.urls.deliveries}/v1/deliveries`, {
      ownerId: 'acc_0001',
      packageId: 'pkg_000001',
      pickup: { lat: 91, lng: 0 },
      dropoff: here,
    });
    expect(offGlobe.status).toBe(400);
    expect(errorCode(offGlobe.body).message).toContain('body.pickup.lat');
  });

  it('cancels CREATED and SCHEDULED deliveries only', async () => {
    for (const status of ['CREATED', 'SCHEDULED'] as const) {
      const id = firstWith(status);
      const answer = await post(`${mocks.urls.deliveries}/v1/deliveries/${id}/cancel`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id, status: 'CANCELLED', droneId: null, eta: null });
      expect(mocks.data.deliveryIdsByStatus.CANCELLED).toContain(id);
      expect(mocks.data.deliveryIdsByStatus[status]).not.toContain(id);
    }
    for (const status of ['IN_TRANSIT', 'DELIVERED', 'CANCELLED'] as const) {
      const answer = await post(
        `${mocks.urls.deliveries}/v1/deliveries/${firstWith(status)}/cancel`,
        {},
      );
      expect(answer.status).toBe(409);
      expect(errorCode(answer.body).code).toBe('INVALID_STATE');
    }
    expect((await post(`${mocks.urls.deliveries}/v1/deliveries/del_999999/cancel`)).status).toBe(
      404,
    );
    expect(
      (
        await post(`${mocks.urls.deliveries}/v1/deliveries/${firstWith('CREATED')}/cancel`, {
          why: 1,
        })
      ).status,
    ).toBe(400);
  });

  it('marks a delivery paid once, and again with the same charge', async () => {
    const delivery = await schedule();
    const charged = await post(`${mocks.urls.payments}/v1/charges`, {
      deliveryId: delivery.id,
      amountCents: 999,
      currency: 'EUR',
    });
    const chargeId = as<Charge>(charged.body).id;
    const url = `${mocks.urls.deliveries}/v1/deliveries/${delivery.id}/payment`;
    const paid = await post(url, { chargeId });
    expect(paid.status).toBe(200);
    expect(paid.body).toEqual({ ...delivery, chargeId });
    expect(await post(url, { chargeId })).toMatchObject({ status: 200, body: paid.body });
    const other = await post(url, { chargeId: 'chg_000001' });
    expect(other.status).toBe(409);
    expect(errorCode(other.body).code).toBe('INVALID_STATE');
  });

  it('refuses to mark a cancelled delivery paid', async () => {
    const delivery = await schedule();
    await post(`${mocks.urls.deliveries}/v1/deliveries/${delivery.id}/cancel`);
    const answer = await post(`${mocks.urls.deliveries}/v1/deliveries/${delivery.id}/payment`, {
      chargeId: 'chg_000001',
    });
    expect(answer.status).toBe(409);
  });
});

describe('charges', () => {
  it('creates a SUCCEEDED charge once per delivery', async () => {
    const delivery = await schedule();
    const url = `${mocks.urls.payments}/v1/charges`;
    const first = await post(url, { deliveryId: delivery.id, amountCents: 1500, currency: 'USD' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      deliveryId: delivery.id,
      amountCents: 1500,
      currency: 'USD',
      status: 'SUCCEEDED',
    });
    const second = await post(url, { deliveryId: delivery.id, amountCents: 1500, currency: 'USD' });
    expect(second.status).toBe(409);
    expect(errorCode(second.body).code).toBe('INVALID_STATE');
  });

  it('authorizes without taking money, then captures once per delivery', async () => {
    const delivery = await schedule();
    const url = `${mocks.urls.payments}/v1/charges`;
    const hold = { deliveryId: delivery.id, amountCents: 700, currency: 'EUR', capture: false };
    const [a, b] = [
      as<Charge>((await post(url, hold)).body),
      as<Charge>((await post(url, hold)).body),
    ];
    expect([a.status, b.status]).toEqual(['PENDING', 'PENDING']);
    expect(a.amountRefundedCents).toBe(0);
    const captured = await post(`${url}/${a.id}/capture`);
    expect(captured.body).toMatchObject({ id: a.id, status: 'SUCCEEDED' });
    expect((await post(`${url}/${a.id}/capture`)).status).toBe(200);
    // One delivery, one payment: the second authorization cannot be captured too.
    const second = await post(`${url}/${b.id}/capture`);
    expect(second.status).toBe(409);
    expect(errorCode(second.body).code).toBe('INVALID_STATE');
  });

  it('refunds captured charges and releases authorizations; a released one cannot be captured', async () => {
    const delivery = await schedule();
    const url = `${mocks.urls.payments}/v1/charges`;
    const paid = as<Charge>(
      (await post(url, { deliveryId: delivery.id, amountCents: 1200, currency: 'EUR' })).body,
    );
    const refunded = await post(`${url}/${paid.id}/refund`, {});
    expect(refunded.body).toMatchObject({ status: 'REFUNDED', amountRefundedCents: 1200 });
    expect((await post(`${url}/${paid.id}/refund`)).body).toEqual(refunded.body);

    const hold = { deliveryId: delivery.id, amountCents: 800, currency: 'EUR', capture: false };
    const pending = as<Charge>((await post(url, hold)).body);
    const released = await post(`${url}/${pending.id}/refund`);
    expect(released.body).toMatchObject({ status: 'REFUNDED', amountRefundedCents: 800 });
    const late = await post(`${url}/${pending.id}/capture`);
    expect(late.status).toBe(409);
    expect(mocks.data.charges.get(pending.id)?.status).toBe('REFUNDED');
  });

  it('refuses bad amounts and currencies', async () => {
    const url = `${mocks.urls.payments}/v1/charges`;
    for (const body of [
      { deliveryId: 'del_000001', amountCents: 0, currency: 'EUR' },
      { deliveryId: 'del_000001', amountCents: 1.5, currency: 'EUR' },
      { deliveryId: 'del_000001', amountCents: 10_000_001, currency: 'EUR' },
      { deliveryId: 'del_000001', amountCents: 100, currency: 'eur' },
    ]) {
      expect((await post(url, body)).status).toBe(400);
    }
  });
});

describe('idempotency keys', () => {
  const url = () => `${mocks.urls.packages}/v1/packages`;
  const body = { size: 'SMALL', weightKg: 2, tag: null };

  it('replay the first answer, marked, and make one record', async () => {
    const before = mocks.data.packages.size;
    const first = await post(url(), body, { 'idempotency-key': 'k-1' });
    const reordered = { tag: null, weightKg: 2, size: 'SMALL' };
    const again = await post(url(), reordered, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(mocks.data.packages.size).toBe(before + 1);
  });

  it('refuse the same key with another body or path with 422', async () => {
    await post(url(), body, { 'idempotency-key': 'k-2' });
    const other = await post(url(), { ...body, weightKg: 3 }, { 'idempotency-key': 'k-2' });
    expect(other.status).toBe(422);
    expect(errorCode(other.body).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('are kept per service', async () => {
    await post(url(), body, { 'idempotency-key': 'k-3' });
    const charge = await post(
      `${mocks.urls.payments}/v1/charges`,
      { deliveryId: 'del_999999', amountCents: 1, currency: 'EUR' },
      { 'idempotency-key': 'k-3' },
    );
    expect(charge.status).toBe(404);
  });

  it('store and replay 4xx answers', async () => {
    const bad = { size: 'SMALL', weightKg: 99 };
    const first = await post(url(), bad, { 'idempotency-key': 'k-4' });
    const again = await post(url(), bad, { 'idempotency-key': 'k-4' });
    expect(first.status).toBe(400);
    expect(again).toMatchObject({ status: 400, body: first.body });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answer 409 while the first request is in flight', async () => {
    await setChaos(mocks, 'packages', { latencyMs: 200 });
    const before = mocks.data.packages.size;
    const first = post(url(), body, { 'idempotency-key': 'k-5' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await post(url(), body, { 'idempotency-key': 'k-5' });
    expect(second.status).toBe(409);
    expect(errorCode(second.body).code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect((await first).status).toBe(201);
    expect(mocks.data.packages.size).toBe(before + 1);
  });

  it('are released by injected faults, so a retry runs for real', async () => {
    await setChaos(mocks, 'packages', { errorRate: 1 });
    expect((await post(url(), body, { 'idempotency-key': 'k-6' })).status).toBe(503);
    await setChaos(mocks, 'packages', {});
    const retry = await post(url(), body, { 'idempotency-key': 'k-6' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('must be 1 to 255 characters', async () => {
    expect((await post(url(), body, { 'idempotency-key': 'k'.repeat(255) })).status).toBe(201);
    const long = await post(url(), body, { 'idempotency-key': 'k'.repeat(256) });
    expect(long.status).toBe(400);
    expect(errorCode(long.body).message).toContain('Idempotency-Key');
  });
});
