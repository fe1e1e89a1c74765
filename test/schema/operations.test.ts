import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import {
  accountWithDeliveries,
  allDeliveries,
  byIds,
  getJson,
  type UpstreamDelivery,
} from '../helpers/upstream-data.js';

/**
 * The apps' real operations against the mock services over real sockets: right data, and
 * one upstream call per service per dependency level (no N+1).
 */

let harness: Harness;
let ownerId: string;
let ownerToken: string;
let dispatcherToken: string;

beforeAll(async () => {
  harness = await startHarness();
  ownerId = await accountWithDeliveries(harness, 20);
  ownerToken = await harness.token(ownerId, 'CUSTOMER');
  dispatcherToken = await harness.token(ownerId, 'DISPATCHER');
});
afterAll(() => harness.close());

interface Edge {
  cursor: string;
  node: Record<string, unknown> & { id: string };
}
interface Connection {
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('MyDeliveries', () => {
  it("returns the caller's newest 20 deliveries joined with package, drone and charge", async () => {
    const expected = (await allDeliveries(harness, { ownerId })).slice(0, 20);
    const packages = await byIds<{ id: string; size: string; weightKg: number }>(
      harness,
      'packages',
      '/v1/packages',
      expected.map((d) => d.packageId),
    );
    const drones = await byIds<{ id: string } & Record<string, unknown>>(
      harness,
      'drones',
      '/v1/drones',
      expected.flatMap((d) => (d.droneId ? [d.droneId] : [])),
    );
    const charges = await byIds<{ id: string } & Record<string, unknown>>(
      harness,
      'payments',
      '/v1/charges',
      expected.flatMap((d) => (d.chargeId ? [d.chargeId] : [])),
    );

    const { body } = await harness.graphql<{ viewer: { id: string; deliveries: Connection } }>(
      operation('MyDeliveries'),
      { token: ownerToken },
    );

    expect(body.errors).toBeUndefined();
    const viewer = body.data?.viewer;
    expect(viewer?.id).toBe(encodeGlobalId('Account', ownerId));
    const nodes = viewer?.deliveries.edges.map((edge) => edge.node) ?? [];
    expect(nodes.map((node) => node.id)).toEqual(
      expected.map((d) => encodeGlobalId('Delivery', d.id)),
    );
    expect(viewer?.deliveries.pageInfo.hasNextPage).toBe(true);
    nodes.forEach((node, i) => {
      const delivery = expected[i] as UpstreamDelivery;
      const pkg = packages.get(delivery.packageId);
      expect(node.status).toBe(delivery.status);
      expect(node.eta).toBe(delivery.eta);
      expect(node.package).toEqual({ size: pkg?.size, weightKg: pkg?.weightKg });
      const drone = delivery.droneId ? drones.get(delivery.droneId) : null;
      expect(node.drone).toEqual(
        drone && {
          id: encodeGlobalId('Drone', delivery.droneId as string),
          batteryPct: drone.batteryPct,
          location: drone.location,
        },
      );
      const charge = delivery.chargeId ? charges.get(delivery.chargeId) : null;
      expect(node.charge).toEqual(
        charge && {
          amountCents: charge.amountCents,
          currency: charge.currency,
          status: charge.status,
        },
      );
    });
  });

  it('makes one call per upstream, with each batch de-duplicated', async () => {
    const expected = (await allDeliveries(harness, { ownerId })).slice(0, 20);
    await harness.reset();

    const { body } = await harness.graphql(operation('MyDeliveries'), { token: ownerToken });
    expect(body.errors).toBeUndefined();

    expect(await harness.callCounts()).toEqual({
      accounts: 1, // viewer
      deliveries: 1, // the page
      packages: 1,
      drones: expected.some((d) => d.droneId) ? 1 : 0,
      payments: expected.some((d) => d.chargeId) ? 1 : 0,
    });
    const droneBatch = (await harness.stats('drones')).batches[0]?.ids ?? [];
    const distinctDrones = new Set(expected.flatMap((d) => (d.droneId ? [d.droneId] : [])));
    expect(droneBatch).toHaveLength(distinctDrones.size);
    expect(new Set(droneBatch)).toEqual(distinctDrones);
  });

  it("walks all of an account's deliveries page by page with no gaps or repeats", async () => {
    const expected = (await allDeliveries(harness, { ownerId })).map((d) =>
      encodeGlobalId('Delivery', d.id),
    );
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const { body } = await harness.graphql<{ viewer: { deliveries: Connection } }>(
        operation('MyDeliveries'),
        { token: ownerToken, variables: { first: 7, after } },
      );
      expect(body.errors).toBeUndefined();
      const connection = body.data?.viewer.deliveries as Connection;
      seen.push(...connection.edges.map((edge) => edge.node.id));
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });
});

describe('DispatchBoard', () => {
  it('lists 100 deliveries in transit with every upstream joined, one call per service', async () => {
    const expected = (await allDeliveries(harness, { status: 'IN_TRANSIT' })).slice(0, 100);
    const owners = await byIds<{ id: string; name: string; email: string }>(
      harness,
      'accounts',
      '/v1/accounts',
      expected.map((d) => d.ownerId),
    );
    await harness.reset();

    const { body } = await harness.graphql<{ deliveries: Connection }>(operation('DispatchBoard'), {
      token: dispatcherToken,
    });

    expect(body.errors).toBeUndefined();
    const nodes = body.data?.deliveries.edges.map((edge) => edge.node) ?? [];
    expect(nodes).toHaveLength(100);
    expect(nodes.map((n) => n.id)).toEqual(expected.map((d) => encodeGlobalId('Delivery', d.id)));
    nodes.forEach((node, i) => {
      const delivery = expected[i] as UpstreamDelivery;
      const owner = owners.get(delivery.ownerId);
      expect(node.status).toBe('IN_TRANSIT');
      expect(node.owner).toEqual({
        id: encodeGlobalId('Account', delivery.ownerId),
        name: owner?.name,
        email: owner?.email,
      });
    });

    expect(await harness.callCounts()).toEqual({
      accounts: 1,
      deliveries: 1,
      packages: 1,
      drones: 1,
      payments: 1,
    });
    const accountBatch = (await harness.stats('accounts')).batches[0]?.ids ?? [];
    expect(accountBatch.length).toBe(new Set(expected.map((d) => d.ownerId)).size);
    const droneBatch = (await harness.stats('drones')).batches[0]?.ids ?? [];
    expect(new Set(droneBatch)).toEqual(new Set(expected.map((d) => d.droneId)));
    expect(droneBatch.length).toBe(new Set(droneBatch).size);
  });

  it('refuses customers with FORBIDDEN and anonymous callers with UNAUTHENTICATED', async () => {
    await harness.reset();
    const customer = await harness.graphql(operation('DispatchBoard'), { token: ownerToken });
    expect(customer.body.data?.deliveries).toBeNull();
    expect(customer.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

    const anonymous = await harness.graphql(operation('DispatchBoard'));
    expect(anonymous.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect((await harness.callCounts()).deliveries).toBe(0);
  });
});

describe('DeliveryDetail', () => {
  it('resolves a delivery by global ID with one call per service', async () => {
    const [delivery] = (await allDeliveries(harness, { ownerId })).filter(
      (d) => d.droneId && d.chargeId,
    );
    if (!delivery) throw new Error('seed has no paid delivery with a drone for this owner');
    await harness.reset();

    const { body } = await harness.graphql<{ node: Record<string, unknown> }>(
      operation('DeliveryDetail'),
      {
        token: ownerToken,
        variables: { id: encodeGlobalId('Delivery', delivery.id) },
      },
    );

    expect(body.errors).toBeUndefined();
    expect(body.data?.node).toMatchObject({
      id: encodeGlobalId('Delivery', delivery.id),
      status: delivery.status,
      createdAt: delivery.createdAt,
      pickup: delivery.pickup,
      dropoff: delivery.dropoff,
      owner: { id: encodeGlobalId('Account', ownerId) },
      package: { id: encodeGlobalId('Package', delivery.packageId) },
      drone: { id: encodeGlobalId('Drone', delivery.droneId as string) },
      charge: { id: encodeGlobalId('Charge', delivery.chargeId as string) },
    });
    expect(await harness.callCounts()).toEqual({
      accounts: 1,
      deliveries: 1,
      packages: 1,
      drones: 1,
      payments: 1,
    });
  });

  it("answers null alike for another account's delivery and an unknown one", async () => {
    const otherOwner = await accountWithOtherDelivery(ownerId);
    const foreign = await harness.graphql<{ node: unknown }>(operation('DeliveryDetail'), {
      token: ownerToken,
      variables: { id: encodeGlobalId('Delivery', otherOwner) },
    });
    expect(foreign.body).toEqual({ data: { node: null } });

    const unknown = await harness.graphql<{ node: unknown }>(operation('DeliveryDetail'), {
      token: ownerToken,
      variables: { id: encodeGlobalId('Delivery', 'del_999999') },
    });
    expect(unknown.body).toEqual({ data: { node: null } });
  });
});

/** A delivery id owned by someone other than `ownerId`. */
async function accountWithOtherDelivery(notOwner: string): Promise<string> {
  const page = await getJson<{ data: UpstreamDelivery[] }>(
    harness,
    'deliveries',
    '/v1/deliveries?limit=50',
  );
  const other = page.data.find((d) => d.ownerId !== notOwner);
  if (!other) throw new Error('no delivery of another account');
  return other.id;
}
