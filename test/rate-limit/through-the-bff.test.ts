import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { type GraphQLAnswer, type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';

/**
 * Rate limits as callers meet them. Budgets are tiny (20 points, 10 back per second) and the
 * operation is DeliveryDetail at 5 points, so the fifth request in a row crosses the budget
 * and the wait it is told is half a second.
 */

const BUDGET = {
  QUERY_MAX_COST: '20',
  RATE_LIMIT_CAPACITY: '20',
  RATE_LIMIT_RESTORE_PER_S: '10',
};
const NO_CALLS = { accounts: 0, deliveries: 0, packages: 0, drones: 0, payments: 0 };
const DETAIL = operation('DeliveryDetail');
const DETAIL_VARIABLES = { id: encodeGlobalId('Delivery', 'del_000001') };

/** POSTs DeliveryDetail (5 points) to one BFF as the given caller. */
async function detail(url: string, token: string): Promise<GraphQLAnswer> {
  const answer = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query: DETAIL, variables: DETAIL_VARIABLES }),
  });
  return {
    status: answer.status,
    headers: answer.headers,
    body: (await answer.json()) as GraphQLAnswer['body'],
  };
}

function expectRateLimited(answer: GraphQLAnswer): number {
  expect(answer.status).toBe(429);
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
  const retryAfterS = answer.body.errors?.[0]?.extensions?.retryAfterS as number;
  expect(retryAfterS).toBeGreaterThan(0);
  expect(retryAfterS).toBeLessThanOrEqual(0.5);
  expect(answer.headers.get('retry-after')).toBe('1');
  return retryAfterS;
}

describe('in memory', () => {
  let harness: Harness;
  let token: string;
  beforeAll(async () => {
    harness = await startHarness({ ...BUDGET, RATE_LIMIT_STORE: 'memory' });
    token = await harness.token('acc_0001', 'DISPATCHER');
  });
  afterAll(() => harness.close());

  it('refuses the request that crosses the budget, calling no upstream, then lets it in', async () => {
    for (let i = 0; i < 4; i++) {
      const { status, body } = await detail(harness.server.url, token);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    await harness.reset();
    const refused = await detail(harness.server.url, token);
    const retryAfterS = expectRateLimited(refused);
    expect(await harness.callCounts()).toEqual(NO_CALLS);

    await sleep(retryAfterS * 1000);
    const back = await detail(harness.server.url, token);
    expect(back.status).toBe(200);
    expect(back.body.errors).toBeUndefined();
  });

  it("keeps one caller's spending off another's budget", async () => {
    const spender = await harness.token('acc_0002', 'DISPATCHER');
    const saver = await harness.token('acc_0003', 'DISPATCHER');
    for (let i = 0; i < 4; i++) await detail(harness.server.url, spender);
    expectRateLimited(await detail(harness.server.url, spender));
    expect((await detail(harness.server.url, saver)).status).toBe(200);
  });

  it('charges callers without a token by their address', async () => {
    // Ten node ids cost 10 points (each answers UNAUTHENTICATED, asking no upstream).
    const ids = Array.from({ length: 10 }, (_, i) => encodeGlobalId('Drone', `drn_${i}`));
    const ask = () =>
      harness.graphql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
        variables: { ids },
      });
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(200);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
  });
});

describe('shared through Redis', () => {
  const prefix = `skyway-test:rate:${randomUUID()}:`;
  let harness: Harness;
  let second: RunningServer;
  let token: string;
  beforeAll(async () => {
    harness = await startHarness({
      ...BUDGET,
      RATE_LIMIT_STORE: testRedisUrl(),
      RATE_LIMIT_KEY_PREFIX: prefix,
    });
    // A second BFF instance on the same upstreams and the same Redis.
    second = await startServer(harness.config);
    token = await harness.token('acc_0001', 'DISPATCHER');
  });
  afterAll(async () => {
    await second.close();
    await harness.close();
    await deleteKeys(prefix);
  });

  it('gives a caller one budget across two BFF instances', async () => {
    const [a, b] = [harness.server.url, second.url];
    for (const url of [a, b, a, b]) expect((await detail(url, token)).status).toBe(200);
    await harness.reset();
    const retryAfterS = expectRateLimited(await detail(b, token));
    expectRateLimited(await detail(a, token));
    expect(await harness.callCounts()).toEqual(NO_CALLS);

    await sleep(retryAfterS * 1000);
    expect((await detail(a, token)).status).toBe(200);
  });
});

describe('with Redis away', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ ...BUDGET, RATE_LIMIT_STORE: 'redis://127.0.0.1:1' });
  });
  afterAll(() => harness.close());

  it('lets requests through rather than failing them', async () => {
    const token = await harness.token('acc_0001', 'DISPATCHER');
    for (let i = 0; i < 6; i++) {
      const { status, body } = await detail(harness.server.url, token);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
  });
});
