import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { as, request, setChaos, stats } from './helpers.js';

let mocks: MockServices;
beforeAll(async () => {
  mocks = await startMockServices({ seed: { accounts: 100 } });
});
beforeEach(() => mocks.reset());
afterAll(() => mocks.close());

const here = { lat: 52.5, lng: 13.4 };

describe('GET /__stats', () => {
  it('counts /v1 requests by route template, with batch ids as asked', async () => {
    await request(`${mocks.urls.drones}/v1/drones/drn_001`);
    await request(`${mocks.urls.drones}/v1/drones/drn_002`);
    await request(`${mocks.urls.drones}/v1/drones?ids=drn_003,drn_001,drn_003`);
    await request(`${mocks.urls.drones}/v1/drones/nope/extra`);
    await request(`${mocks.urls.drones}/__chaos`);
    await request(`${mocks.urls.drones}/openapi.json`);
    const counted = await stats(mocks, 'drones');
    expect(counted.total).toBe(4);
    expect(counted.routes).toEqual({ 'GET /v1/drones/{id}': 2, 'GET /v1/drones': 1 });
    expect(counted.batches).toEqual([
      { route: 'GET /v1/drones', ids: ['drn_003', 'drn_001', 'drn_003'] },
    ]);
    expect(counted.recent.map((r) => [r.route, r.status])).toEqual([
      ['GET /v1/drones/{id}', 200],
      ['GET /v1/drones/{id}', 200],
      ['GET /v1/drones', 200],
      [null, 404],
    ]);
  });

  it('records request id, traceparent and idempotency key', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await request(`${mocks.urls.packages}/v1/packages`, {
      method: 'POST',
      body: { size: 'SMALL', weightKg: 1 },
      headers: { 'x-request-id': 'req-9', traceparent, 'idempotency-key': 'idem-9' },
    });
    const [recent] = (await stats(mocks, 'packages')).recent;
    expect(recent).toEqual({
      method: 'POST',
      route: 'POST /v1/packages',
      status: 201,
      requestId: 'req-9',
      traceparent,
      idempotencyKey: 'idem-9',
    });
  });

  it('keeps the last 1,000 requests, oldest first', async () => {
    const account = (i: number) =>
      `${mocks.urls.accounts}/v1/accounts/acc_${String((i % 100) + 1).padStart(4, '0')}`;
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => fetch(account(i + j)).then((r) => r.text())),
      );
    }
    for (let i = 0; i < 5; i++)
      await request(account(i), { headers: { 'x-request-id': `last-${i}` } });
    const counted = await stats(mocks, 'accounts');
    expect(counted.total).toBe(1005);
    expect(counted.recent).toHaveLength(1000);
    expect(counted.recent.slice(-5).map((r) => r.requestId)).toEqual([
      'last-0',
      'last-1',
      'last-2',
      'last-3',
      'last-4',
    ]);
  });
});

describe('POST /__reset', () => {
  it('returns the data to its seed, zeroes stats, forgets keys and clears chaos', async () => {
    const pkg = await request(`${mocks.urls.packages}/v1/packages`, {
      method: 'POST',
      body: { size: 'SMALL', weightKg: 1 },
      headers: { 'idempotency-key': 'once' },
    });
    const pkgId = as<{ id: string }>(pkg.body).id;
    const created = await request(`${mocks.urls.deliveries}/v1/deliveries`, {
      method: 'POST',
      body: { ownerId: 'acc_0001', packageId: pkgId, pickup: here, dropoff: here },
    });
    const deliveryId = as<{ id: string }>(created.body).id;
    const cancelled = mocks.data.deliveryIdsByStatus.CREATED[0] ?? '';
    await request(`${mocks.urls.deliveries}/v1/deliveries/${cancelled}/cancel`, { method: 'POST' });
    await setChaos(mocks, 'packages', { errorRate: 1 });

    for (const service of ['packages', 'deliveries'] as const) {
      const answer = await request(`${mocks.urls[service]}/__reset`, { method: 'POST' });
      expect(answer.status).toBe(204);
    }
    expect(mocks.data.packages.has(pkgId)).toBe(false);
    expect(mocks.data.deliveries.has(deliveryId)).toBe(false);
    expect((await request(`${mocks.urls.deliveries}/v1/deliveries/${deliveryId}`)).status).toBe(
      404,
    );
    expect(mocks.data.deliveries.get(cancelled)?.status).toBe('CREATED');
    expect(mocks.data.deliveryIdsByStatus.CANCELLED).not.toContain(cancelled);
    expect((await stats(mocks, 'packages')).total).toBe(0);
    const again = await request(`${mocks.urls.packages}/v1/packages`, {
      method: 'POST',
      body: { size: 'SMALL', weightKg: 1 },
      headers: { 'idempotency-key': 'once' },
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
  });

  it('restores only the resetting service, and mocks.reset() restores all', async () => {
    const pkg = await request(`${mocks.urls.packages}/v1/packages`, {
      method: 'POST',
      body: { size: 'SMALL', weightKg: 1 },
    });
    const pkgId = as<{ id: string }>(pkg.body).id;
    await request(`${mocks.urls.drones}/__reset`, { method: 'POST' });
    expect(mocks.data.packages.has(pkgId)).toBe(true);
    mocks.reset();
    expect(mocks.data.packages.has(pkgId)).toBe(false);
  });
});

describe('PUT /__chaos', () => {
  const drone = () => `${mocks.urls.drones}/v1/drones/drn_001`;

  it('answers errors with errorStatus and Retry-After, and counts them', async () => {
    await setChaos(mocks, 'drones', { errorRate: 1, errorStatus: 500, retryAfterS: 3 });
    const answer = await request(drone());
    expect(answer.status).toBe(500);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(answer.body).toEqual({
      error: { code: 'INJECTED_FAULT', message: 'fault injected by /__chaos' },
    });
    expect((await stats(mocks, 'drones')).recent.map((r) => r.status)).toEqual([500]);
  });

  it('adds latency: a request is counted on arrival and held unanswered, then answered', async () => {
    await setChaos(mocks, 'drones', { latencyMs: 60_000 });
    const client = new AbortController();
    let answered = false;
    const held = fetch(drone(), { signal: client.signal }).then(
      () => {
        answered = true;
      },
      (error: unknown) => error,
    );
    await waitFor(async () => (await stats(mocks, 'drones')).recent.length === 1, { everyMs: 10 });
    // Arrived, and a further round trip later still waiting out its latency.
    const counted = await stats(mocks, 'drones');
    expect(counted.recent.map((r) => [r.route, r.status])).toEqual([['GET /v1/drones/{id}', 0]]);
    expect(answered).toBe(false);
    client.abort();
    expect(await held).toBeInstanceOf(Error);

    await setChaos(mocks, 'drones', { latencyMs: 1 });
    expect((await request(drone())).status).toBe(200);
  });

  it('hangs: the request is never answered, yet counted', async () => {
    await setChaos(mocks, 'drones', { hang: true });
    await expect(fetch(drone(), { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const counted = await stats(mocks, 'drones');
    expect(counted.recent.map((r) => [r.route, r.status])).toEqual([['GET /v1/drones/{id}', 0]]);
  });

  it('cuts connections mid-response', async () => {
    await setChaos(mocks, 'drones', { resetConnections: true });
    await expect(fetch(drone()).then((answer) => answer.text())).rejects.toThrow();
  });

  it('sends bodies that do not parse, or have the wrong shape', async () => {
    await setChaos(mocks, 'drones', { malformed: 'syntax' });
    const syntax = await fetch(drone());
    expect(syntax.status).toBe(200);
    const text = await syntax.text();
    expect(() => JSON.parse(text)).toThrow();
    await setChaos(mocks, 'drones', { malformed: true });
    expect(() => JSON.parse(text)).toThrow();
    await setChaos(mocks, 'drones', { malformed: 'shape' });
    expect(await (await fetch(drone())).json()).toEqual({ unexpected: true });
  });

  it('touches only the routes named', async () => {
    await setChaos(mocks, 'drones', { errorRate: 1, routes: ['GET /v1/drones'] });
    expect((await request(drone())).status).toBe(200);
    expect((await request(`${mocks.urls.drones}/v1/drones?ids=drn_001`)).status).toBe(503);
  });

  it('never touches the test controls', async () => {
    await setChaos(mocks, 'drones', { hang: true });
    expect((await request(`${mocks.urls.drones}/__stats`)).status).toBe(200);
    expect((await request(`${mocks.urls.drones}/openapi.json`)).status).toBe(200);
  });

  it('answers the chaos in force, and {} clears it', async () => {
    const set = await request(`${mocks.urls.drones}/__chaos`, {
      method: 'PUT',
      body: { latencyMs: 5, malformed: true },
    });
    expect(set.body).toMatchObject({
      latencyMs: 5,
      malformed: 'syntax',
      hang: false,
      errorStatus: 503,
      routes: null,
    });
    const cleared = await request(`${mocks.urls.drones}/__chaos`, { method: 'PUT', body: {} });
    expect(cleared.body).toMatchObject({ latencyMs: 0, malformed: false });
    expect((await request(drone())).status).toBe(200);
  });

  it('refuses invalid chaos', async () => {
    for (const body of [
      { errorRate: 2 },
      { latencyMs: -1 },
      { errorStatus: 200 },
      { surprise: true },
      { routes: ['GET /v1/drone/{id}'] },
      [],
      'null',
    ]) {
      const answer = await request(`${mocks.urls.drones}/__chaos`, { method: 'PUT', body });
      expect(answer.status).toBe(400);
    }
  });
});

describe('close()', () => {
  it('finishes promptly with hung and keep-alive connections open', async () => {
    const own = await startMockServices({ seed: { accounts: 10, drones: 5 } });
    await request(`${own.urls.drones}/v1/drones/drn_001`); // leaves a keep-alive socket
    await setChaos(own, 'drones', { hang: true });
    const hung = fetch(`${own.urls.drones}/v1/drones/drn_001`).catch((error: unknown) => error);
    const arrived = async () => (await stats(own, 'drones')).recent.some((r) => r.status === 0);
    await waitFor(arrived, { everyMs: 10 });
    // server.close() alone waits for every open connection to end, and the hung one never
    // would: close() resolving at all is the proof that it ends them.
    await own.close();
    expect(await hung).toBeInstanceOf(Error);
  });
});
