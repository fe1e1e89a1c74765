import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { OPERATION_NAMES, operation } from '../helpers/operations.js';
import { accountWithDeliveries, allDeliveries } from '../helpers/upstream-data.js';

/**
 * The query-cost limit through the BFF: the apps' six operations pass and report the cost the
 * README gives app teams; an operation over the limit is refused, with its cost and the limit,
 * before any upstream is called. The limit here is 600 points: DispatchBoard (501) passes, two
 * pages of 60 do not.
 */

let harness: Harness;
let ownerId: string;
let token: string;
let dispatcher: string;

const NO_CALLS = { accounts: 0, deliveries: 0, packages: 0, drones: 0, payments: 0 };

beforeAll(async () => {
  harness = await startHarness({ QUERY_MAX_COST: '600', QUERY_COST_EXTENSION: 'true' });
  ownerId = await accountWithDeliveries(harness, 20);
  token = await harness.token(ownerId);
  dispatcher = await harness.token(ownerId, 'DISPATCHER');
});
afterAll(() => harness.close());

/** The costs table of the README's "Guarded entry" section: operation → points. */
function readmeCosts(): Record<string, number> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Guarded entry');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = section.matchAll(/^\| `(\w+)`[^|\n]*\| (\d+) \|/gm);
  return Object.fromEntries([...rows].map((row) => [row[1], Number(row[2])]));
}

describe("the apps' six operations", () => {
  it('pass with their default variables and report the cost the README gives', async () => {
    const [delivery] = await allDeliveries(harness, { ownerId });
    const scheduleInput = () => ({
      input: {
        idempotencyKey: randomUUID(),
        pickup: { lat: 52.52, lng: 13.4 },
        dropoff: { lat: 52.5, lng: 13.35 },
        package: { size: 'SMALL', weightKg: 1.5 },
      },
    });
    const schedule = async () => {
      const { body } = await harness.graphql<{ scheduleDelivery: { delivery: { id: string } } }>(
        operation('ScheduleDelivery'),
        { token, variables: scheduleInput() },
      );
      return body.data?.scheduleDelivery.delivery.id ?? '';
    };
    // One new delivery to pay for, another to cancel.
    const [toPay, toCancel] = [await schedule(), await schedule()];
    const variables: Record<string, Record<string, unknown>> = {
      DeliveryDetail: { id: encodeGlobalId('Delivery', delivery?.id ?? '') },
      ScheduleDelivery: scheduleInput(),
      PayForDelivery: {
        input: {
          idempotencyKey: randomUUID(),
          deliveryId: toPay,
          amountCents: 1200,
          currency: 'EUR',
        },
      },
      CancelDelivery: { input: { idempotencyKey: randomUUID(), deliveryId: toCancel } },
    };
    const costs: Record<string, number> = {};
    for (const name of OPERATION_NAMES) {
      const { status, body } = await harness.graphql(operation(name), {
        token: name === 'DispatchBoard' ? dispatcher : token,
        variables: variables[name],
      });
      expect(body.errors, name).toBeUndefined();
      expect(status, name).toBe(200);
      const cost = body.extensions?.cost as { estimated: number } | undefined;
      costs[name] = cost?.estimated ?? Number.NaN;
    }
    expect(costs).toEqual(readmeCosts());
    expect(Object.keys(costs).sort()).toEqual([...OPERATION_NAMES].sort());
  });
});

describe('over the limit', () => {
  // 1 + first × 7: each delivery, its package, drone and charge, and its owner's latest one.
  const PAGE = `query Page($first: Int) { deliveries(first: $first) { edges { node {
    id package { size } drone { model } charge { status }
    owner { name deliveries(first: 1) { edges { node { id } } } } } } } }`;

  it('is QUERY_TOO_COMPLEX with the cost and the limit, and no upstream is called', async () => {
    await harness.reset();
    const { status, body } = await harness.graphql(PAGE, {
      token: dispatcher,
      variables: { first: 100 },
    });
    expect(status).toBe(400);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'QUERY_TOO_COMPLEX', reason: 'COST', cost: 701, limit: 600 },
      }),
    ]);
    expect(await harness.callCounts()).toEqual(NO_CALLS);
  });

  it('depends on the variables: one document passes, is refused and passes again', async () => {
    const run = (first: number) =>
      harness.graphql(PAGE, { token: dispatcher, variables: { first } });
    const codes = async (first: number) =>
      (await run(first)).body.errors?.map((e) => e.extensions?.code) ?? [];
    // Yoga caches validation per document; a cost verdict must not be cached with it.
    expect(await codes(10)).toEqual([]);
    expect(await codes(100)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(await codes(10)).toEqual([]);
    expect(await codes(100)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('depends on @include and @skip variables too, every time', async () => {
    const WITH_OWNERS = `query Board($owners: Boolean!, $after: String) {
      deliveries(first: 90, after: $after) { edges { node { id package { size } drone { model }
        charge { status } owner @include(if: $owners) { name deliveries(first: 1) { edges { node { id } } } } } } } }`;
    const codes = async (owners: boolean, after: string | null) =>
      (
        await harness.graphql(WITH_OWNERS, { token: dispatcher, variables: { owners, after } })
      ).body.errors?.map((e) => e.extensions?.code) ?? [];
    expect(await codes(false, null)).toEqual([]);
    expect(await codes(true, null)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(await codes(false, null)).toEqual([]);
    // Another cursor (a String) prices the same document the same way.
    expect(await codes(true, 'bogus')).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('depends on the length of a list of ids: nodes(ids:) is priced per id, every time', async () => {
    const NODES = `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on Delivery {
      owner { name deliveries(first: 5) { edges { node { id } } } } } } }`;
    const deliveries = await allDeliveries(harness, { ownerId });
    const ids = (count: number) =>
      Array.from({ length: count }, (_, i) =>
        encodeGlobalId('Delivery', deliveries[i % deliveries.length]?.id ?? ''),
      );
    const codes = async (count: number) =>
      (
        await harness.graphql(NODES, { token: dispatcher, variables: { ids: ids(count) } })
      ).body.errors?.map((e) => e.extensions?.code) ?? [];
    expect(await codes(2)).toEqual([]);
    expect(await codes(100)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(await codes(2)).toEqual([]);
    expect(await codes(100)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('prices an omitted variable at its default, not at what null costs', async () => {
    // With $first omitted its default, 100, applies (701 points); null means 20 (141).
    const DEFAULTED = `query Defaulted($first: Int = 100) { deliveries(first: $first) { edges { node {
      id package { size } drone { model } charge { status }
      owner { name deliveries(first: 1) { edges { node { id } } } } } } } }`;
    const codes = async (variables: Record<string, unknown>) =>
      (await harness.graphql(DEFAULTED, { token: dispatcher, variables })).body.errors?.map(
        (e) => e.extensions?.code,
      ) ?? [];
    expect(await codes({})).toEqual(['QUERY_TOO_COMPLEX']);
    expect(await codes({ first: null })).toEqual([]);
    expect(await codes({})).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('counts the aliases: the same page asked twice costs twice', async () => {
    await harness.reset();
    const twice = `{ a: deliveries(first: 60) { edges { node { owner { id } package { id } drone { id } charge { id } } } }
      b: deliveries(first: 60) { edges { node { owner { id } package { id } drone { id } charge { id } } } } }`;
    const { body } = await harness.graphql(twice, { token: dispatcher });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 602 });
    expect(await harness.callCounts()).toEqual(NO_CALLS);
  });
});

describe('page sizes', () => {
  it('refuses `first` over 100 with BAD_USER_INPUT before even the viewer is read', async () => {
    await harness.reset();
    const { status, body } = await harness.graphql(operation('MyDeliveries'), {
      token,
      variables: { first: 101 },
    });
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(await harness.callCounts()).toEqual(NO_CALLS);
  });

  it('refuses a huge `first` the same way, without overflowing the estimate', async () => {
    await harness.reset();
    const { body } = await harness.graphql(operation('DispatchBoard'), {
      token: dispatcher,
      variables: { first: 2_147_483_647 },
    });
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(await harness.callCounts()).toEqual(NO_CALLS);
  });
});

describe('reporting', () => {
  it('leaves the cost out of responses unless configured (it is on in development)', async () => {
    const quiet = await startHarness();
    try {
      const { body } = await quiet.graphql('{ viewer { id } }');
      expect(body.extensions?.cost).toBeUndefined();
    } finally {
      await quiet.close();
    }
  });
});
