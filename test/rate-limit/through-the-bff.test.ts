import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { type GraphQLAnswer, type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { deleteKeys, testRedisUrl } from '../helpers/redis.js';
import { redisTestClock } from '../helpers/redis-clock.js';

/**
 * Rate limits as callers meet them. Budgets are tiny (20 points, 10 back per second) and the
 * operation is DeliveryDetail of a delivery with a drone and a charge, estimated at 5 points
 * and reading 5 records, so the fifth request in a row crosses the budget and the wait it is
 * told is half a second. Every part runs on a fake clock (Redis on the test's clock passed to
 * its store, `test/helpers/redis-clock.ts`); the last one has the default budget.
 */

const BUDGET = {
  QUERY_MAX_COST: '20',
  RATE_LIMIT_CAPACITY: '20',
  RATE_LIMIT_RESTORE_PER_S: '10',
};
const NO_CALLS = { accounts: 0, deliveries: 0, packages: 0, drones: 0, payments: 0 };
const DETAIL = operation('DeliveryDetail');
let detailVariables = { id: '' };

/** Details a delivery with a drone and a charge: five records read, as many as estimated. */
function detailFullDeliveries(harness: Harness): void {
  const full = [...harness.mocks.data.deliveries.values()].find(
    (delivery) => delivery.droneId !== null && delivery.chargeId !== null,
  );
  if (full === undefined) throw new Error('the seed has no delivery with a drone and a charge');
  detailVariables = { id: encodeGlobalId('Delivery', full.id) };
}

/** POSTs DeliveryDetail (5 points) to one BFF as the given caller. */
async function detail(url: string, token: string): Promise<GraphQLAnswer> {
  const answer = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query: DETAIL, variables: detailVariables }),
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
  // The buckets' clock is faked (Date only: sockets and the services' timers run as ever), so
  // no point comes back unless a test moves the clock.
  let harness: Harness;
  let token: string;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    harness = await startHarness({ ...BUDGET, RATE_LIMIT_STORE: 'memory' });
    detailFullDeliveries(harness);
    token = await harness.token('acc_0001', 'DISPATCHER');
  });
  afterAll(async () => {
    await harness.close();
    vi.useRealTimers();
  });

  it('refuses the request that crosses the budget, calling no upstream, then lets it in', async () => {
    for (let i = 0; i < 4; i++) {
      const { status, body } = await detail(harness.server.url, token);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    await harness.reset();
    const refused = await detail(harness.server.url, token);
    const retryAfterS = expectRateLimited(refused);
    expect(retryAfterS).toBe(0.5);
    expect(await harness.callCounts()).toEqual(NO_CALLS);

    vi.advanceTimersByTime(retryAfterS * 1000);
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

  it('charges callers without a token by their address, a free query one point', async () => {
    // 20 points, and the clock stands still: the 21st crosses it.
    for (let i = 0; i < 20; i++) expect((await harness.graphql('{ __typename }')).status).toBe(200);
    const answer = await harness.graphql('{ __typename }');
    expect(answer.status).toBe(429);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    // A caller with a token has a budget of its own.
    const other = await harness.token('acc_0004', 'DISPATCHER');
    expect((await detail(harness.server.url, other)).status).toBe(200);
  });
});

describe('callers without a token, by address', () => {
  // Two BFFs on the same mocks, both reached over loopback: one trusts no proxy (the default),
  // the other trusts loopback, as one behind a proxy on the same host would. The clock stands
  // still, so 20 free queries spend an address's budget.
  let direct: Harness;
  let proxied: RunningServer;
  /** Behind a proxy that writes RFC 7239's Forwarded instead. */
  let standard: RunningServer;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    direct = await startHarness({ ...BUDGET, RATE_LIMIT_STORE: 'memory' });
    proxied = await startServer({ ...direct.config, trustedProxies: ['loopback'] });
    standard = await startServer({
      ...direct.config,
      trustedProxies: ['loopback'],
      forwardingHeader: 'forwarded',
    });
  });
  afterAll(async () => {
    await standard.close();
    await proxied.close();
    await direct.close();
    vi.useRealTimers();
  });

  const anonymous = (url: string, forwardedFor: string, header = 'x-forwarded-for') =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: forwardedFor },
      body: JSON.stringify({ query: '{ __typename }' }),
    }).then((answer) => answer.status);

  it('cannot get a fresh budget by writing X-Forwarded-For when no proxy is trusted', async () => {
    for (let i = 0; i < 20; i++)
      expect(await anonymous(direct.server.url, `203.0.113.${i}`)).toBe(200);
    expect(await anonymous(direct.server.url, '198.51.100.99')).toBe(429);
  });

  it('behind a trusted proxy, each client address has a budget of its own', async () => {
    for (let i = 0; i < 20; i++) expect(await anonymous(proxied.url, '203.0.113.7')).toBe(200);
    expect(await anonymous(proxied.url, '203.0.113.7')).toBe(429);
    // What the client wrote left of the proxy's entry changes nothing.
    expect(await anonymous(proxied.url, '198.51.100.1, 203.0.113.7')).toBe(429);
    expect(await anonymous(proxied.url, '203.0.113.8')).toBe(200);
  });

  it('gives an IPv6 client one budget for its /64, whichever of its addresses it uses', async () => {
    for (let i = 1; i <= 20; i++) {
      expect(await anonymous(proxied.url, `2001:db8::${i.toString(16)}`)).toBe(200);
    }
    expect(await anonymous(proxied.url, '2001:db8::ffff:1')).toBe(429);
    expect(await anonymous(proxied.url, '2001:db8:0:1::1')).toBe(200);
  });

  it('behind proxies that write Forwarded, reads that header and not X-Forwarded-For', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await anonymous(standard.url, 'for=203.0.113.20', 'forwarded')).toBe(200);
    }
    expect(await anonymous(standard.url, 'for=203.0.113.20', 'forwarded')).toBe(429);
    expect(await anonymous(standard.url, 'for="[2001:db8:5::1]:443"', 'forwarded')).toBe(200);
    // X-Forwarded-For, which these proxies do not write, gains a client nothing: its peer pays.
    for (let i = 0; i < 20; i++) {
      expect(await anonymous(standard.url, `198.51.100.${i}`)).toBe(200);
    }
    expect(await anonymous(standard.url, '198.51.100.99')).toBe(429);
  });

  it('reads an address with a port or a zone as the address, never failing the request', async () => {
    // A zone Node accepts and ipaddr.js does not (it answered 500), and one of 8 KB.
    for (const written of ['fe80::1%eth-0', `fe80::1%${'a'.repeat(8000)}`, '[fe80::1]:443']) {
      expect(await anonymous(proxied.url, written)).toBe(200);
    }
    // Still one budget, fe80::/64's: the three above and 17 more spend it.
    for (let i = 0; i < 17; i++) expect(await anonymous(proxied.url, 'fe80::2')).toBe(200);
    expect(await anonymous(proxied.url, 'fe80::3')).toBe(429);
    // A port some proxies append: the address's budget, not the proxy's.
    expect(await anonymous(proxied.url, '203.0.113.9:443')).toBe(200);
  });
});

describe('shared through Redis', () => {
  // Both instances' buckets run on the test's clock, so no point comes back unless it moves.
  const prefix = `skyway-test:rate:${randomUUID()}:`;
  const clock = redisTestClock(testRedisUrl(), prefix);
  let harness: Harness;
  let second: RunningServer;
  let token: string;
  beforeAll(async () => {
    harness = await startHarness(
      { ...BUDGET, RATE_LIMIT_STORE: testRedisUrl(), RATE_LIMIT_KEY_PREFIX: prefix },
      { storeClock: clock.now },
    );
    detailFullDeliveries(harness);
    // A second BFF instance on the same upstreams and the same Redis.
    second = await startServer(harness.config, { storeClock: clock.now });
    token = await harness.token('acc_0001', 'DISPATCHER');
  });
  afterAll(async () => {
    await second.close();
    await harness.close();
    await clock.close();
    await deleteKeys(prefix);
  });

  it('gives a caller one budget across two BFF instances', async () => {
    const [a, b] = [harness.server.url, second.url];
    for (const url of [a, b, a, b]) expect((await detail(url, token)).status).toBe(200);
    await harness.reset();
    const retryAfterS = expectRateLimited(await detail(b, token));
    expect(retryAfterS).toBe(0.5); // 5 points missing, 10 back a second
    expectRateLimited(await detail(a, token));
    expect(await harness.callCounts()).toEqual(NO_CALLS);

    await clock.pass(retryAfterS * 1000 - 1);
    expectRateLimited(await detail(a, token));
    await clock.pass(1);
    expect((await detail(a, token)).status).toBe(200);
  });
});

describe('with Redis away', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ ...BUDGET, RATE_LIMIT_STORE: 'redis://127.0.0.1:1' });
    detailFullDeliveries(harness);
  });
  afterAll(() => harness.close());

  it('lets requests through rather than failing them, and counts each for the failing-open alert', async () => {
    const token = await harness.token('acc_0001', 'DISPATCHER');
    for (let i = 0; i < 6; i++) {
      const { status, body } = await detail(harness.server.url, token);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    const metrics = await (await fetch(`${harness.server.metricsUrl}`)).text();
    expect(metrics).toMatch(/^skyway_rate_limit_store_failures_total 6$/m);
  });
});

describe('the default budget, priced by what ran', () => {
  // The buckets' clock is faked (Date only: sockets and the services' timers run as ever), so
  // no point comes back unless a test moves the clock.
  let harness: Harness;
  const board = (token: string) =>
    harness.graphql(operation('DispatchBoard'), { token, variables: { first: 100 } });
  const budgetAfter = (answer: GraphQLAnswer) =>
    (answer.body.extensions?.rateLimit as { available: number } | undefined)?.available;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    harness = await startHarness({
      NODE_ENV: 'production',
      RATE_LIMIT_STORE: 'memory',
      QUERY_COST_EXTENSION: 'true',
      UPSTREAM_RECORD_CACHE_SIZE: '10000', // as deployed
    });
  });
  afterAll(async () => {
    await harness.close();
    vi.useRealTimers();
  });

  it("a customer's refused board costs nothing", async () => {
    const customer = await harness.token('acc_0002');
    for (let i = 0; i < 5; i++) {
      const answer = await board(customer);
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(budgetAfter(answer)).toBe(1000);
    }
  });

  it('a board the deliveries service fails costs nothing', async () => {
    const dispatcher = await harness.token('acc_0003', 'DISPATCHER');
    await harness.chaos('deliveries', { errorRate: 1, errorStatus: 500 });
    for (let i = 0; i < 5; i++) {
      const answer = await board(dispatcher);
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(budgetAfter(answer)).toBe(1000);
    }
    await harness.chaos('deliveries', {});
  });

  it('a dispatcher refreshing the board every 2 s is never limited', async () => {
    const dispatcher = await harness.token('acc_0004', 'DISPATCHER');
    const charged: number[] = [];
    for (let refresh = 0; refresh < 30; refresh++) {
      const answer = await board(dispatcher);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      charged.push(1000 - (budgetAfter(answer) ?? 0));
      vi.advanceTimersByTime(2_000);
    }
    // Each refresh is charged the records it read, at most the board's estimate of 501.
    expect(Math.max(...charged)).toBeLessThanOrEqual(501);
    expect(Math.min(...charged)).toBeGreaterThan(0);
  });

  it('a scraper sending 100 boards at once is still limited', async () => {
    const scraper = await harness.token('acc_0005', 'DISPATCHER');
    await harness.reset();
    const answers = await Promise.all(Array.from({ length: 100 }, () => board(scraper)));
    const ran = answers.filter((answer) => answer.status === 200);
    const limited = answers.filter((answer) => answer.status === 429);
    expect(ran.length + limited.length).toBe(100);
    // A full bucket holds the estimates of one board at once; each that ends gives back only
    // what it did not read, so a few more may start, never many.
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(ran.length).toBeLessThanOrEqual(5);
    expect((await harness.callCounts()).deliveries).toBe(ran.length);
  });
});
