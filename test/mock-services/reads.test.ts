import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, type MockServices, startMockServices } from '../../mock-services/index.js';
import { keysetPage } from '../../mock-services/services/collection.js';
import { as, request } from './helpers.js';

let mocks: MockServices;
beforeAll(async () => {
  mocks = await startMockServices();
});
afterAll(() => mocks.close());

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
const ids = (records: { id: string }[]) => records.map((r) => r.id);

async function walk(query: string): Promise<{ ids: string[]; pages: number }> {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url = `${mocks.urls.deliveries}/v1/deliveries?${query}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const answer = await request(url);
    expect(answer.status).toBe(200);
    const page = as<Page<Delivery>>(answer.body);
    seen.push(...ids(page.data));
    cursor = page.nextCursor;
    if (cursor !== null) expect(cursor).toBe(page.data.at(-1)?.id);
    pages += 1;
  } while (cursor !== null);
  return { ids: seen, pages };
}

describe('one record', () => {
  it('answers the record, echoing x-request-id, as application/json', async () => {
    const answer = await request(`${mocks.urls.drones}/v1/drones/drn_007`, {
      headers: { 'x-request-id': 'r-1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(mocks.data.drones.get('drn_007'));
    expect(answer.headers.get('x-request-id')).toBe('r-1');
    expect(answer.headers.get('content-type')).toBe('application/json');
  });

  it('answers 404 with an error body when absent', async () => {
    const answer = await request(`${mocks.urls.packages}/v1/packages/pkg_999999`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: { code: 'NOT_FOUND', message: 'package pkg_999999 not found' },
    });
  });
});

describe('batches', () => {
  it('answer found records in the order asked, each once, unknown ids missing', async () => {
    const answer = await request(
      `${mocks.urls.drones}/v1/drones?ids=drn_003,drn_001,nope,drn_003,drn_002`,
    );
    expect(answer.status).toBe(200);
    expect(ids(as<{ data: { id: string }[] }>(answer.body).data)).toEqual([
      'drn_003',
      'drn_001',
      'drn_002',
    ]);
  });

  it('take 100 distinct ids, however often repeated, and refuse 101', async () => {
    const hundred = mocks.data.deliveryIds.slice(0, 100);
    const ok = await request(
      `${mocks.urls.deliveries}/v1/deliveries?ids=${[...hundred, ...hundred].join(',')}`,
    );
    expect(ok.status).toBe(200);
    expect(ids(as<{ data: { id: string }[] }>(ok.body).data)).toEqual(hundred);

    const tooMany = mocks.data.deliveryIds.slice(0, 101).join(',');
    const refused = await request(`${mocks.urls.deliveries}/v1/deliveries?ids=${tooMany}`);
    expect(refused.status).toBe(400);
    expect(as<{ error: { code: string } }>(refused.body).error.code).toBe('BATCH_TOO_LARGE');
  });

  it('refuse an empty ids, ids with list parameters, and a batch-only route without ids', async () => {
    for (const path of [
      '/v1/deliveries?ids=',
      '/v1/deliveries?ids=,,',
      '/v1/deliveries?ids=del_000001&limit=5',
      '/v1/deliveries?ids=del_000001&ownerId=acc_0001',
    ]) {
      const answer = await request(`${mocks.urls.deliveries}${path}`);
      expect([path, answer.status]).toEqual([path, 400]);
      expect(as<{ error: { code: string } }>(answer.body).error.code).toBe('BAD_REQUEST');
    }
    expect((await request(`${mocks.urls.drones}/v1/drones`)).status).toBe(400);
  });
});

describe('lists', () => {
  const owner = 'acc_0042';

  it("walk an owner's deliveries newest first, with no gaps or repeats", async () => {
    const expected = [...(mocks.data.deliveryIdsByOwner.get(owner) ?? [])].reverse();
    expect(expected.length).toBeGreaterThan(7);
    const walked = await walk(`ownerId=${owner}&limit=7`);
    expect(walked.ids).toEqual(expected);
    expect(walked.pages).toBe(Math.ceil(expected.length / 7));
  });

  it('walk a status across owners, and all deliveries', async () => {
    const inTransit = await walk('status=IN_TRANSIT&limit=100');
    expect(inTransit.ids).toEqual([...mocks.data.deliveryIdsByStatus.IN_TRANSIT].reverse());
    const first = as<Page<Delivery>>(
      (await request(`${mocks.urls.deliveries}/v1/deliveries`)).body,
    );
    expect(ids(first.data)).toEqual(mocks.data.deliveryIds.slice(-20).reverse());
  });

  it('combine the owner and status filters', async () => {
    const walked = await walk(`ownerId=${owner}&status=DELIVERED&limit=3`);
    const expected = (mocks.data.deliveryIdsByOwner.get(owner) ?? [])
      .filter((id) => mocks.data.deliveries.get(id)?.status === 'DELIVERED')
      .reverse();
    expect(expected.length).toBeGreaterThan(0);
    expect(walked.ids).toEqual(expected);
  });

  it('start right after an unknown cursor, where it would have been', async () => {
    const url = `${mocks.urls.deliveries}/v1/deliveries?limit=2&cursor=del_0000105`;
    expect(ids(as<Page<Delivery>>((await request(url)).body).data)).toEqual([
      'del_000010',
      'del_000009',
    ]);
  });

  it('answer an empty page for an owner with no deliveries', async () => {
    const answer = await request(`${mocks.urls.deliveries}/v1/deliveries?ownerId=acc_9999`);
    expect(answer.body).toEqual({ data: [], nextCursor: null });
  });

  it('list accounts oldest first and charges of a delivery', async () => {
    const accounts = as<Page<{ id: string }>>(
      (await request(`${mocks.urls.accounts}/v1/accounts?limit=2&cursor=acc_0005`)).body,
    );
    expect(accounts).toEqual({
      data: [mocks.data.accounts.get('acc_0006'), mocks.data.accounts.get('acc_0007')],
      nextCursor: 'acc_0007',
    });
    const [deliveryId, chargeIds] = [...mocks.data.chargeIdsByDelivery][0] ?? ['', []];
    const charges = as<Page<{ id: string }>>(
      (await request(`${mocks.urls.payments}/v1/charges?deliveryId=${deliveryId}`)).body,
    );
    expect(ids(charges.data)).toEqual([...chargeIds].reverse());
    expect(charges.nextCursor).toBeNull();
  });

  it('refuse invalid limits, statuses, repeated and unknown parameters', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=1.5',
      'limit=abc',
      'status=LOST',
      'status=DELIVERED&status=CREATED',
      'first=5',
      'cursor=',
    ]) {
      const answer = await request(`${mocks.urls.deliveries}/v1/deliveries?${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
    }
    const message = as<{ error: { message: string } }>(
      (await request(`${mocks.urls.deliveries}/v1/deliveries?limit=0`)).body,
    );
    expect(message.error.message).toContain('query.limit');
  });
});

describe('keysetPage', () => {
  const all = ['a1', 'a2', 'a3', 'a4', 'a5'];
  it('pages ascending and descending from a cursor', () => {
    expect(keysetPage(all, 'asc', undefined, 2)).toEqual({ ids: ['a1', 'a2'], nextCursor: 'a2' });
    expect(keysetPage(all, 'asc', 'a3', 5)).toEqual({ ids: ['a4', 'a5'], nextCursor: null });
    expect(keysetPage(all, 'desc', undefined, 2)).toEqual({ ids: ['a5', 'a4'], nextCursor: 'a4' });
    expect(keysetPage(all, 'desc', 'a3', 2)).toEqual({ ids: ['a2', 'a1'], nextCursor: null });
    expect(keysetPage(all, 'desc', 'a0', 2)).toEqual({ ids: [], nextCursor: null });
  });
});

describe('anything else', () => {
  it('answers 404 to unknown paths and 405 with Allow to a wrong method', async () => {
    expect((await request(`${mocks.urls.drones}/v2/drones`)).status).toBe(404);
    expect((await request(`${mocks.urls.drones}/v1/drones/drn_001/extra`)).status).toBe(404);
    expect((await request(`${mocks.urls.drones}/v1/drones/`)).status).toBe(404);
    const wrong = await request(`${mocks.urls.deliveries}/v1/deliveries/del_000001`, {
      method: 'DELETE',
    });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(as<{ error: { code: string } }>(wrong.body).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('survives odd input', async () => {
    const odd = [
      '/v1/drones/%E0%A4%A',
      '//v1/drones',
      '/v1/drones?ids=%zz',
      '/v1/drones/drn_001?%',
    ];
    for (const path of odd) {
      const answer = await fetch(`${mocks.urls.drones}${path}`);
      expect(answer.status).toBeLessThan(500);
    }
    expect((await request(`${mocks.urls.drones}/v1/drones/drn_001`)).status).toBe(200);
  });
});
