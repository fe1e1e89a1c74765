import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLSchema, parse } from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import { describe, expect, it } from 'vitest';
import { createCostEstimator } from '../../src/cost/estimator.js';
import { schema } from '../../src/schema/index.js';
import { OPERATION_NAMES, operation } from '../helpers/operations.js';

/**
 * The estimator prices operations by the `@cost` and `@listSize` the schema declares. The same
 * numbers are printed in schema.graphql, so a schema built from that file (as a client's
 * tooling would) prices every operation exactly as the served one.
 */

const printed = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

/** Variables the mutations need; the queries run on their defaults. */
const SAMPLE_VARIABLES: Record<string, Record<string, unknown>> = {
  DeliveryDetail: { id: 'RGVsaXZlcnk6ZGVsXzAwMDAwMQ' },
  ScheduleDelivery: {
    input: {
      idempotencyKey: 'k',
      pickup: { lat: 52.52, lng: 13.4 },
      dropoff: { lat: 52.5, lng: 13.35 },
      package: { size: 'SMALL', weightKg: 1.5 },
    },
  },
  PayForDelivery: {
    input: { idempotencyKey: 'k', deliveryId: 'x', amountCents: 1200, currency: 'EUR' },
  },
  CancelDelivery: { input: { idempotencyKey: 'k', deliveryId: 'x' } },
};

function cost(query: string, variables: Record<string, unknown> = {}, on: GraphQLSchema = schema) {
  return getComplexity({
    schema: on,
    query: parse(query),
    variables,
    estimators: [createCostEstimator(on)],
  });
}

describe("the apps' operations", () => {
  it('cost what the README says', () => {
    const costs = Object.fromEntries(
      OPERATION_NAMES.map((name) => [name, cost(operation(name), SAMPLE_VARIABLES[name])]),
    );
    expect(costs).toEqual({
      CancelDelivery: 11,
      DeliveryDetail: 5,
      DispatchBoard: 501,
      MyDeliveries: 82,
      PayForDelivery: 12,
      ScheduleDelivery: 12,
    });
  });

  it('cost the same against the printed schema.graphql, as a client tool reads it', () => {
    for (const name of OPERATION_NAMES) {
      const variables = SAMPLE_VARIABLES[name];
      expect(cost(operation(name), variables, printed), name).toBe(
        cost(operation(name), variables),
      );
    }
  });
});

describe('pricing', () => {
  it('multiplies what each edge selects by `first`, 20 when it is omitted', () => {
    const page = (first: string) => `{ deliveries${first} { edges { node { id owner { id } } } } }`;
    expect(cost(page('(first: 10)'))).toBe(1 + 10 * 2);
    expect(cost(page('(first: 100)'))).toBe(1 + 100 * 2);
    expect(cost(page(''))).toBe(1 + 20 * 2);
    expect(cost(page('(first: $n)').replace('{', 'query ($n: Int) {'), { n: 50 })).toBe(1 + 50 * 2);
  });

  it('prices upstream reads and leaves what is in hand free', () => {
    // pickup and pageInfo come with the page: only the deliveries read are counted.
    const local = `{ deliveries(first: 10) {
      pageInfo { hasNextPage endCursor } edges { cursor node { id status pickup { lat } } } } }`;
    expect(cost(local)).toBe(1 + 10 * 1);
    // drone asks the drones service for each delivery of the page.
    const upstream = `{ deliveries(first: 10) { edges { node { id drone { id } } } } }`;
    expect(cost(upstream)).toBe(1 + 10 * 2);
  });

  it('multiplies nested pages', () => {
    const nested = `{ deliveries(first: 10) { edges { node { owner {
      deliveries(first: 10) { edges { node { id } } } } } } } }`;
    expect(cost(nested)).toBe(1 + 10 * (1 + 1 + (1 + 10 * 1)));
  });

  it('counts one record per id asked of nodes(ids:)', () => {
    const ids = Array.from({ length: 7 }, (_, i) => `"id${i}"`).join(',');
    expect(cost(`{ nodes(ids: [${ids}]) { id } }`)).toBe(7);
  });

  it('prices a mutation field at 10 plus what its payload reads', () => {
    const query =
      'mutation ($input: CancelDeliveryInput!) { cancelDelivery(input: $input) { delivery { id } } }';
    expect(cost(query, SAMPLE_VARIABLES.CancelDelivery)).toBe(10 + 1);
  });

  it('leaves introspection free: it reads the schema in memory', () => {
    expect(cost('{ __schema { types { name fields { name } } } }')).toBe(0);
    expect(cost('{ __typename viewer { __typename } }')).toBe(1);
  });

  it('skips what @include and @skip leave out', () => {
    const query = `query ($withDrone: Boolean!) { deliveries(first: 10) { edges { node {
      id drone @include(if: $withDrone) { id } } } } }`;
    expect(cost(query, { withDrone: false })).toBe(1 + 10 * 1);
    expect(cost(query, { withDrone: true })).toBe(1 + 10 * 2);
  });
});

describe('page sizes', () => {
  for (const first of [101, 1_000_000_000, 0, -5]) {
    it(`refuses first: ${first} with BAD_USER_INPUT instead of pricing it`, () => {
      expect(() => cost(`{ deliveries(first: ${first}) { edges { node { id } } } }`)).toThrow(
        expect.objectContaining({
          message: `\`first\` must be between 1 and 100; got ${first}.`,
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      );
    });
  }
});
