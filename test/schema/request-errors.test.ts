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
  expect(await harness.callCounts()).toEqual(NO_CALLS);
}

const NO_CALLS = { accounts: 0, deliveries: 0, packages: 0, drones: 0, payments: 0 };

/** The error codes of a request, and the upstream calls it made. */
async function answer(query: string, variables: Record<string, unknown>) {
  await harness.reset();
  const { body } = await harness.graphql(query, { token, variables });
  return { codes: body.errors?.map((e) => e.extensions?.code), counts: await harness.callCounts() };
}

describe('bad requests', () => {
  it('an unparsable query is GRAPHQL_PARSE_FAILED', () =>
    expectRefused('{ viewer { id ', 'GRAPHQL_PARSE_FAILED'));

  it('an unknown field is GRAPHQL_VALIDATION_FAILED', () =>
    expectRefused('{ viewer { id password } }', 'GRAPHQL_VALIDATION_FAILED'));

  it('a variable of the wrong type is BAD_USER_INPUT', () =>
    expectRefused(operation('MyDeliveries'), 'BAD_USER_INPUT', { first: 'twenty' }));

  it('a variable error names the variable and points at its definition', async () => {
    const { body } = await harness.graphql(operation('MyDeliveries'), {
      token,
      variables: { first: 'twenty' },
    });
    const [error] = body.errors ?? [];
    expect(error?.message).toMatch(/^Variable "\$first" got invalid value "twenty"/);
    expect(error?.locations).toEqual([{ line: expect.any(Number), column: expect.any(Number) }]);
  });

  it('`first` over 100 is BAD_USER_INPUT', () =>
    expectRefused(operation('MyDeliveries'), 'BAD_USER_INPUT', { first: 101 }));

  it('a cursor the API did not give out is BAD_USER_INPUT, before the deliveries call', async () => {
    const { codes, counts } = await answer(operation('MyDeliveries'), { after: 'bogus!' });
    expect(codes).toEqual(['BAD_USER_INPUT']);
    expect(counts.deliveries).toBe(0);
  });

  it('an ID that is not a Skyway ID is BAD_USER_INPUT, with no upstream call', async () => {
    const { codes, counts } = await answer(operation('DeliveryDetail'), { id: '../../admin' });
    expect(codes).toEqual(['BAD_USER_INPUT']);
    expect(counts).toEqual(NO_CALLS);
  });
});
