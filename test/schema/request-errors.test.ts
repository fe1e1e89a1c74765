import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';

/** Bad client input gets its coded error, and no upstream is called for it. */

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  token = await harness.token('acc_0001');
});
afterAll(() => harness.close());

async function expectRefused(query: string, code: string, variables?: Record<string, unknown>) {
  await harness.reset();
  const { body } = await harness.graphql(query, { token, variables });
  expect(body.data ?? null).toBeNull();
  expect(body.errors?.map((e) => e.extensions?.code)).toContain(code);
  expect(await harness.callCounts()).toEqual({
    accounts: 0,
    deliveries: 0,
    packages: 0,
    drones: 0,
    payments: 0,
  });
}

describe('bad requests', () => {
  it('an unparsable query is GRAPHQL_PARSE_FAILED', () =>
    expectRefused('{ viewer { id ', 'GRAPHQL_PARSE_FAILED'));

  it('an unknown field is GRAPHQL_VALIDATION_FAILED', () =>
    expectRefused('{ viewer { id password } }', 'GRAPHQL_VALIDATION_FAILED'));

  it('a variable of the wrong type is BAD_USER_INPUT', () =>
    expectRefused(operation('MyDeliveries'), 'BAD_USER_INPUT', { first: 'twenty' }));

  it('`first` over 100 is BAD_USER_INPUT', async () => {
    await harness.reset();
    const { body } = await harness.graphql(operation('MyDeliveries'), {
      token,
      variables: { first: 101 },
    });
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect((await harness.callCounts()).deliveries).toBe(0);
  });

  it('a cursor the API did not give out is BAD_USER_INPUT', async () => {
    await harness.reset();
    const { body } = await harness.graphql(operation('MyDeliveries'), {
      token,
      variables: { after: 'bogus!' },
    });
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect((await harness.callCounts()).deliveries).toBe(0);
  });

  it('an ID that is not a Skyway ID is BAD_USER_INPUT', async () => {
    await harness.reset();
    const { body } = await harness.graphql(operation('DeliveryDetail'), {
      token,
      variables: { id: '../../admin' },
    });
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(await harness.callCounts()).toEqual({
      accounts: 0,
      deliveries: 0,
      packages: 0,
      drones: 0,
      payments: 0,
    });
  });
});
