import { randomUUID } from 'node:crypto';
import type { Client, OperationResult } from '@urql/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  DispatchBoardDeferredDocument,
  type DispatchBoardDeferredQuery,
  DispatchBoardDocument,
  MyDeliveriesDocument,
  type MyDeliveriesQuery,
  ScheduleDeliveryDocument,
} from '../../clients/generated/graphql.js';
import { createSkywayClient } from '../../clients/skyway-client.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/**
 * The generated types in use, as a web team uses them: urql's core client with the typed
 * documents of `clients/generated`, against the live BFF over a socket, by text and by hash.
 * `expectTypeOf` lines are checked by `tsc` (npm run typecheck), the rest at run time.
 */

let harness: Harness;
let customer: string;
let dispatcher: string;

beforeAll(async () => {
  harness = await startHarness({ PERSISTED_DOCUMENTS: 'allow' });
  const accountId = await accountWithDeliveries(harness, 3);
  customer = await harness.token(accountId, 'CUSTOMER');
  dispatcher = await harness.token(accountId, 'DISPATCHER');
});
afterAll(() => harness.close());

const clientFor = (token: string, trustedDocuments = false) =>
  createSkywayClient({
    url: `${harness.server.url}/graphql`,
    token: () => token,
    trustedDocuments,
  });

/** Every result urql emits for a query, until the last part of an incremental answer. */
function allResults<T>(
  client: Client,
  document: Parameters<Client['query']>[0],
  variables: object,
) {
  return new Promise<Array<OperationResult<T>>>((resolve) => {
    const results: Array<OperationResult<T>> = [];
    const { unsubscribe } = client
      .query(document, variables, { requestPolicy: 'network-only' })
      .subscribe((result) => {
        results.push(result as OperationResult<T>);
        if (!result.hasNext) {
          unsubscribe();
          resolve(results);
        }
      });
  });
}

describe('typed operations through urql', () => {
  it('MyDeliveries round-trips, typed by its document', async () => {
    const result = await clientFor(customer).query(MyDeliveriesDocument, { first: 3 }).toPromise();
    expectTypeOf(result.data).toEqualTypeOf<MyDeliveriesQuery | undefined>();
    expect(result.error).toBeUndefined();

    const edges = result.data?.viewer?.deliveries?.edges ?? [];
    expect(edges).toHaveLength(3);
    const first = edges[0]?.node;
    expectTypeOf(first?.status).toEqualTypeOf<
      'CANCELLED' | 'CREATED' | 'DELIVERED' | 'IN_TRANSIT' | 'SCHEDULED' | undefined
    >();
    expect(first?.__typename).toBe('Delivery');

    // The same data a hand-written request gets, plus the __typename the cache reads.
    const raw = await harness.graphql<{
      viewer: { deliveries: { edges: Array<{ node: { id: string } }> } };
    }>(operation('MyDeliveries'), { variables: { first: 3 }, token: customer });
    expect(edges.map((edge) => edge.node.id)).toEqual(
      raw.body.data?.viewer.deliveries.edges.map((edge) => edge.node.id),
    );
  });

  it('sends only the hash with trusted documents, and gets the same answer', async () => {
    await harness.reset();
    const byHash = await clientFor(dispatcher, true)
      .query(DispatchBoardDocument, { first: 5 })
      .toPromise();
    const byText = await clientFor(dispatcher)
      .query(DispatchBoardDocument, { first: 5 })
      .toPromise();
    expect(byHash.error).toBeUndefined();
    expect(byHash.data).toEqual(byText.data);
    expect(byHash.data?.deliveries?.edges).toHaveLength(5);
  });

  it('runs a typed mutation by hash; its input type is the schema input', async () => {
    const variables = {
      input: {
        idempotencyKey: randomUUID(),
        package: { size: 'SMALL', weightKg: 1.5 },
        pickup: { lat: 52.52, lng: 13.4 },
        dropoff: { lat: 52.5, lng: 13.42 },
      },
    } as const;
    const result = await clientFor(customer, true)
      .mutation(ScheduleDeliveryDocument, variables)
      .toPromise();
    expect(result.error).toBeUndefined();
    const delivery = result.data?.scheduleDelivery.delivery;
    expect(delivery?.status).toBe('SCHEDULED');
    expect(delivery?.package).toMatchObject({ size: 'SMALL', weightKg: 1.5 });
  });

  it('merges a deferred DispatchBoard: first without drones, then with them', async () => {
    await harness.chaos('drones', { latencyMs: 150 });
    try {
      const results = await allResults<DispatchBoardDeferredQuery>(
        clientFor(dispatcher, true),
        DispatchBoardDeferredDocument,
        { first: 4 },
      );
      expect(results.length).toBeGreaterThan(1);
      const [first] = results;
      const last = results.at(-1);
      expect(first?.hasNext).toBe(true);
      expect(first?.data?.deliveries?.edges.map((edge) => edge.node.drone)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      expect(last?.hasNext).toBe(false);
      const drones = last?.data?.deliveries?.edges.map((edge) => edge.node.drone) ?? [];
      expect(drones).toHaveLength(4);
      for (const drone of drones) {
        if (drone !== null) expect(drone?.__typename).toBe('Drone');
      }
      expect(drones.some((drone) => drone?.__typename === 'Drone')).toBe(true);
    } finally {
      await harness.chaos('drones', {});
    }
  });
});

describe('against a BFF that requires persisted documents', () => {
  let strict: Harness;
  let token: string;
  beforeAll(async () => {
    strict = await startHarness({ PERSISTED_DOCUMENTS: 'require' });
    token = await strict.token(await accountWithDeliveries(strict, 2));
  });
  afterAll(() => strict.close());

  const strictClient = (trustedDocuments: boolean) =>
    createSkywayClient({
      url: `${strict.server.url}/graphql`,
      token: () => token,
      trustedDocuments,
    });

  it('the trusted-documents client works; a client sending text is refused', async () => {
    const trusted = await strictClient(true).query(MyDeliveriesDocument, { first: 2 }).toPromise();
    expect(trusted.error).toBeUndefined();
    expect(trusted.data?.viewer).toBeTruthy();

    const text = await strictClient(false).query(MyDeliveriesDocument, { first: 2 }).toPromise();
    expect(text.data).toBeUndefined();
    expect(text.error?.graphQLErrors.map((error) => error.extensions.code)).toEqual([
      'PERSISTED_QUERY_REQUIRED',
    ]);
  });
});
