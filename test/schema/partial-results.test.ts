import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/**
 * One failing upstream costs its own fields, never the answer: drones down, hanging, slow,
 * malformed, and its breaker open, seen through the BFF by the apps' real operations.
 */

let harness: Harness;
let dispatcherToken: string;

beforeAll(async () => {
  harness = await startHarness({
    REQUEST_TIMEOUT_MS: '800',
    UPSTREAM_RETRY_BASE_MS: '1',
    UPSTREAM_RETRY_CAP_MS: '5',
    UPSTREAM_DRONES_BREAKER_MIN_CALLS: '6',
    UPSTREAM_DRONES_BULKHEAD_CONCURRENCY: '1',
    UPSTREAM_DRONES_BULKHEAD_QUEUE: '0',
  });
  dispatcherToken = await harness.token(await accountWithDeliveries(harness, 5), 'DISPATCHER');
});
afterEach(async () => {
  vi.useRealTimers();
  await harness.reset();
});
afterAll(() => harness.close());

interface Board {
  deliveries: {
    edges: Array<{
      node: { id: string; owner: unknown; package: unknown; drone: unknown; charge: unknown };
    }>;
  };
}

const board = () =>
  harness.graphql<Board>(operation('DispatchBoard'), {
    token: dispatcherToken,
    variables: { first: 30 },
  });

const dronesPolicy = () => harness.server.skyway.upstreams.http.drones.policy;

function codesOf(errors: Array<{ extensions?: Record<string, unknown> }> | undefined) {
  return [...new Set((errors ?? []).map((e) => `${e.extensions?.code}/${e.extensions?.reason}`))];
}

describe('drones down', () => {
  it('answers every delivery with drone null and one coded error per drone path', async () => {
    await harness.chaos('drones', { errorRate: 1, errorStatus: 503 });
    const { status, body } = await board();

    expect(status).toBe(200);
    const edges = body.data?.deliveries.edges ?? [];
    expect(edges).toHaveLength(30);
    for (const { node } of edges) {
      expect(node.drone).toBeNull();
      expect(node.owner).not.toBeNull();
      expect(node.package).not.toBeNull();
      expect(node.charge).not.toBeNull();
    }
    expect(body.errors).toHaveLength(30);
    const paths = body.errors?.map((e) => e.path?.join('.')).sort();
    expect(paths).toEqual(edges.map((_, i) => `deliveries.edges.${i}.node.drone`).sort());
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: 'drones',
      reason: 'HTTP_5XX',
    });
    expect(JSON.stringify(body.errors)).not.toMatch(/127\.0\.0\.1|\/v1\/|stack/);
  });
});

describe('drones breaker', () => {
  it('opens after enough failures, then spares drones entirely, then closes after a probe', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await harness.chaos('drones', { errorRate: 1, errorStatus: 500 }); // 500: not retried
    for (let i = 0; i < 6; i++) await board();
    expect(dronesPolicy().breakerState).toBe('open');

    await harness.reset(); // chaos cleared, counters zeroed: drones would answer now
    for (let i = 0; i < 3; i++) {
      const { body } = await board();
      expect(codesOf(body.errors)).toEqual(['UPSTREAM_UNAVAILABLE/CIRCUIT_OPEN']);
      expect(body.data?.deliveries.edges.every((edge) => edge.node.owner !== null)).toBe(true);
    }
    expect((await harness.callCounts()).drones).toBe(0);

    vi.setSystemTime(Date.now() + 5_001); // the breaker's default open time has passed
    const { body } = await board();
    expect(body.errors).toBeUndefined();
    expect(dronesPolicy().breakerState).toBe('closed');
    expect((await harness.callCounts()).drones).toBe(1);
  });
});

describe('drones hanging', () => {
  it('answers within the request budget with UPSTREAM_TIMEOUT, leaving nothing running', async () => {
    await harness.chaos('drones', { hang: true });
    const { body } = await board();
    expect(codesOf(body.errors)).toEqual(['UPSTREAM_TIMEOUT/TIMEOUT']);
    expect(body.errors?.[0]?.extensions?.upstream).toBe('drones');
    expect(body.data?.deliveries.edges.every((edge) => edge.node.package !== null)).toBe(true);
    expect(dronesPolicy().bulkheadLoad).toEqual({ inFlight: 0, queued: 0 });
  });
});

describe('drones slow', () => {
  it('fails the excess fast with BULKHEAD_FULL while the other upstreams keep answering', async () => {
    await harness.chaos('drones', { latencyMs: 300 });
    const answers = await Promise.all(Array.from({ length: 4 }, () => board()));
    const full = answers.filter(({ body }) =>
      codesOf(body.errors).includes('UPSTREAM_UNAVAILABLE/BULKHEAD_FULL'),
    );
    expect(full.length).toBeGreaterThanOrEqual(2);
    for (const { body } of answers) {
      expect(body.data?.deliveries.edges).toHaveLength(30);
      expect(body.data?.deliveries.edges.every((edge) => edge.node.owner !== null)).toBe(true);
    }
    const counts = await harness.callCounts();
    expect(counts.accounts).toBe(4);
    expect(counts.drones).toBe(4 - full.length);
  });
});

describe('drones answering garbage', () => {
  for (const malformed of ['syntax', 'shape'] as const) {
    it(`a ${malformed} error in the body is BAD_RESPONSE and the process stays up`, async () => {
      await harness.chaos('drones', { malformed });
      const { body } = await board();
      expect(codesOf(body.errors)).toEqual(['UPSTREAM_UNAVAILABLE/BAD_RESPONSE']);
      await harness.chaos('drones', {});
      expect((await board()).body.errors).toBeUndefined();
    });
  }
});

describe('accounts down', () => {
  interface Home {
    viewer: { id: string; name: string; deliveries: { edges: unknown[] } | null } | null;
  }

  for (const [name, chaos] of [
    ['failing', { errorRate: 1 }],
    ['hanging', { hang: true }],
  ] as const) {
    it(`${name}: the home screen still shows the deliveries, and the name the token carries`, async () => {
      const ownerId = await accountWithDeliveries(harness, 5);
      const token = await harness.token(ownerId);
      await harness.reset();
      await harness.chaos('accounts', { ...chaos, routes: ['GET /v1/accounts'] });
      const { body } = await harness.graphql<Home>(operation('MyDeliveries'), { token });
      // name is non-null: without the token's name the viewer, deliveries and all, would be
      // null. The accounts service was asked, and failed.
      expect((await harness.stats('accounts')).routes['GET /v1/accounts']).toBeGreaterThan(0);
      expect(body.errors).toBeUndefined();
      expect(body.data?.viewer?.name).toBe(harness.mocks.data.accounts.get(ownerId)?.name);
      expect(body.data?.viewer?.deliveries?.edges.length).toBeGreaterThanOrEqual(5);
    });
  }

  it("the board shows every delivery, each owner null with the accounts service's error", async () => {
    await harness.chaos('accounts', { errorRate: 1, routes: ['GET /v1/accounts'] });
    const { body } = await board();
    const edges = body.data?.deliveries.edges ?? [];
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.every((edge) => edge.node.owner === null && edge.node.package !== null)).toBe(
      true,
    );
    expect(new Set(codesOf(body.errors))).toEqual(new Set(['UPSTREAM_UNAVAILABLE/HTTP_5XX']));
  });
});
