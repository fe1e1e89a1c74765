import { readFileSync } from 'node:fs';
import type { ScenarioName } from './cli.js';
import type { ContenderName } from './contenders.js';
import { type Fixtures, globalId } from './fixtures.js';
import { idFromCursor, MESH_OPERATIONS, TO_SKYWAY } from './peers/mesh/operations.js';

/**
 * The timed scenarios: the apps' own operations from `contract/operations/`, each with the
 * variables and token of its i-th request, and the fewest upstream calls it can cost.
 */

export interface GraphqlRequest {
  /** The JSON body: `{ query, operationName, variables }`. */
  body: string;
  headers: Record<string, string>;
}

export interface Scenario {
  name: string;
  operationName: string;
  query: string;
  /** One call per service per dependency level: what a perfect aggregator makes. */
  minimumCalls: number;
  /** The dependency levels, for the report. */
  plan: string;
  /** The i-th request; i grows for the whole run, the pools wrap around. */
  request(i: number): GraphqlRequest;
  /** Contenders that serve a schema of their own ask for the same screen in it. */
  dialects?: Partial<Record<ContenderName, Dialect>>;
}

/**
 * The screen in a contender's own schema: the i-th request with the same variables and token
 * as `Scenario.request(i)`, and the contender's answer in Skyway's shape, for `correctness.ts`.
 */
export interface Dialect {
  request(i: number): GraphqlRequest;
  toSkyway(answer: unknown): unknown;
}

/** The scenario as the contender is asked it: in its own schema when it has one. */
export function askedOf(scenario: Scenario, contender: ContenderName): Scenario {
  const dialect = scenario.dialects?.[contender];
  return dialect === undefined ? scenario : { ...scenario, request: dialect.request };
}

const REPO = new URL('../', import.meta.url);

function operation(name: string): string {
  return readFileSync(new URL(`contract/operations/${name}.graphql`, REPO), 'utf8');
}

function graphql(
  operationName: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): GraphqlRequest {
  return {
    body: JSON.stringify({ query, operationName, variables }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  };
}

function at<T>(items: readonly T[], i: number): T {
  if (items.length === 0) throw new Error('empty fixture pool');
  return items[i % items.length] as T;
}

export function makeScenarios(fixtures: Fixtures): Record<ScenarioName, Scenario> {
  const customer = (accountId: string) => {
    const token = fixtures.customerTokens.get(accountId);
    if (token === undefined) throw new Error(`no token for ${accountId}`);
    return token;
  };
  const myDeliveries = operation('MyDeliveries');
  const dispatchBoard = operation('DispatchBoard');
  const deliveryDetail = operation('DeliveryDetail');
  return {
    MyDeliveries: {
      name: 'MyDeliveries',
      operationName: 'MyDeliveries',
      query: myDeliveries,
      minimumCalls: 5,
      plan: 'accounts ∥ deliveries page → packages ∥ drones ∥ payments',
      request: (i) => {
        const accountId = at(fixtures.myDeliveriesAccounts, i);
        return graphql('MyDeliveries', myDeliveries, { first: 20 }, customer(accountId));
      },
      dialects: {
        mesh: {
          request: (i) => {
            const accountId = at(fixtures.myDeliveriesAccounts, i);
            const query = MESH_OPERATIONS.MyDeliveries;
            return graphql('MyDeliveries', query, { first: 20 }, customer(accountId));
          },
          toSkyway: TO_SKYWAY.MyDeliveries,
        },
      },
    },
    DispatchBoard: board(fixtures, dispatchBoard, (i) => at(fixtures.boardCursors, i)),
    DeliveryDetail: {
      name: 'DeliveryDetail',
      operationName: 'DeliveryDetail',
      query: deliveryDetail,
      minimumCalls: 5,
      plan: 'deliveries → accounts ∥ packages ∥ drones ∥ payments',
      request: (i) => {
        const delivery = at(fixtures.detailDeliveries, i);
        return graphql(
          'DeliveryDetail',
          deliveryDetail,
          { id: globalId('Delivery', delivery.id) },
          customer(delivery.ownerId),
        );
      },
      dialects: {
        mesh: {
          request: (i) => {
            const delivery = at(fixtures.detailDeliveries, i);
            const query = MESH_OPERATIONS.DeliveryDetail;
            return graphql(
              'DeliveryDetail',
              query,
              { id: delivery.id },
              customer(delivery.ownerId),
            );
          },
          toSkyway: TO_SKYWAY.DeliveryDetail,
        },
      },
    },
  };
}

/** The dispatch board without its drone fields: the query the isolation scenario times. */
/** The board at the page `cursorOf(i)` gives, for the i-th dispatcher, in every dialect. */
function board(
  fixtures: Fixtures,
  dispatchBoard: string,
  cursorOf: (i: number) => string | null,
): Scenario {
  return {
    name: 'DispatchBoard',
    operationName: 'DispatchBoard',
    query: dispatchBoard,
    minimumCalls: 5,
    plan: 'deliveries page → accounts ∥ packages ∥ drones ∥ payments',
    request: (i) =>
      graphql(
        'DispatchBoard',
        dispatchBoard,
        { first: 100, after: cursorOf(i), status: 'IN_TRANSIT' },
        at(fixtures.dispatcherTokens, i),
      ),
    dialects: {
      mesh: {
        request: (i) => {
          const after = cursorOf(i);
          return graphql(
            'DispatchBoard',
            MESH_OPERATIONS.DispatchBoard,
            {
              first: 100,
              after: after === null ? null : idFromCursor(after),
              status: 'IN_TRANSIT',
            },
            at(fixtures.dispatcherTokens, i),
          );
        },
        toSkyway: TO_SKYWAY.DispatchBoard,
      },
    },
  };
}

/** Every dispatcher at one page of the board (`page` of the pool): what a burst of them asks. */
export function boardBurst(fixtures: Fixtures, page: number): Scenario {
  const cursor = at(fixtures.boardCursors, page);
  return board(fixtures, operation('DispatchBoard'), () => cursor);
}

const BOARD_WITHOUT_DRONES = `query DispatchBoardWithoutDrones($first: Int = 100, $after: String) {
  deliveries(first: $first, after: $after, status: IN_TRANSIT) {
    edges { node { id status eta owner { id name email } package { size weightKg } charge { status } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export function boardWithoutDrones(fixtures: Fixtures): Scenario {
  return {
    name: 'DispatchBoard without drones',
    operationName: 'DispatchBoardWithoutDrones',
    query: BOARD_WITHOUT_DRONES,
    minimumCalls: 4,
    plan: 'deliveries page → accounts ∥ packages ∥ payments',
    request: (i) =>
      graphql(
        'DispatchBoardWithoutDrones',
        BOARD_WITHOUT_DRONES,
        { first: 100, after: at(fixtures.boardCursors, i) },
        at(fixtures.dispatcherTokens, i),
      ),
  };
}
