import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/**
 * A document runs interpreted the first time and compiled (graphql-jit) from the second on.
 * Clients must not be able to tell: the same answers, the same partial results and coded
 * errors at the same paths, the same upstream calls.
 */

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  token = await harness.token(await accountWithDeliveries(harness, 20));
});
afterAll(() => harness.close());

/** A document no other test sends, so its first run here is its first run at all. */
const fresh = (name: string) => `${operation(name)}\n# ${name} ${Math.random()}`;

/** Runs a document `count` times from fresh counters (and the chaos `prepare` sets). */
async function runs(document: string, count: number, prepare = async () => {}) {
  const answers = [];
  for (let i = 0; i < count; i += 1) {
    await harness.reset();
    await prepare();
    const { status, body } = await harness.graphql(document, { token });
    answers.push({ status, body, calls: await harness.callCounts() });
  }
  return answers;
}

describe('compiled execution', () => {
  it('answers a document the same when interpreted and when compiled', async () => {
    const [first, ...later] = await runs(fresh('MyDeliveries'), 3);
    expect(first?.body.errors).toBeUndefined();
    expect(first?.calls).toEqual({
      accounts: 1,
      deliveries: 1,
      packages: 1,
      drones: 1,
      payments: 1,
    });
    for (const answer of later) expect(answer).toEqual(first);
  });

  it('runs the operation a request names, in a document that holds several', async () => {
    const document = `query Mine { viewer { id } }
      query Page { viewer { deliveries(first: 1) { edges { cursor } } } }\n# ${Math.random()}`;
    const run = async (operationName: string) =>
      (await harness.graphql(document, { token, operationName })).body.data;
    // Page twice (a single-operation document would be compiled by now), then Mine.
    await run('Page');
    await run('Page');
    expect(await run('Mine')).toEqual({ viewer: { id: expect.any(String) } });
  });

  it('refuses variables that do not fit the same way, with the same status', async () => {
    const document = fresh('MyDeliveries');
    const bad = async () => {
      const { status, body } = await harness.graphql(document, {
        token,
        variables: { first: 'twenty' },
      });
      return { status, body };
    };
    const first = await bad();
    expect(first.status).toBe(400);
    await runs(document, 2);
    expect(await bad()).toEqual(first);
  });

  it('gives the same partial result and coded errors when an upstream fails', async () => {
    const dronesFail = () => harness.chaos('drones', { errorRate: 1, errorStatus: 500 });
    try {
      const [first, ...later] = await runs(fresh('MyDeliveries'), 3, dronesFail);
      const errors = first?.body.errors ?? [];
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.extensions?.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
      expect(errors.every((e) => e.path?.at(-1) === 'drone')).toBe(true);
      for (const answer of later) expect(answer).toEqual(first);
    } finally {
      await harness.reset();
    }
  });
});
