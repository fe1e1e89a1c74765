import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, type Stats, startHarness } from '../helpers/harness.js';
import { type IncrementalPayload, readIncremental } from '../helpers/incremental.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/**
 * @defer and @stream through the BFF (Yoga's defer-stream plugin): the first part of the
 * answer leaves before the slow upstream has answered, and the rest follows in later parts,
 * over multipart HTTP and over SSE. Asserted by the order of the parts and by what the drones
 * service had answered when the first part arrived, never by wall time.
 */

const DEFERRED_BOARD = readFileSync(
  new URL('../../clients/operations/DispatchBoardDeferred.graphql', import.meta.url),
  'utf8',
);

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await startHarness({
    // A hung drones call ends quickly and once, so the test that hangs it stays short.
    UPSTREAM_DRONES_TIMEOUT_MS: '800',
    UPSTREAM_DRONES_RETRIES: '0',
  });
  const accountId = await accountWithDeliveries(harness, 3);
  token = await harness.token(accountId, 'DISPATCHER');
});
afterAll(() => harness.close());
beforeEach(() => harness.reset());

function post(query: string, variables: Record<string, unknown>, accept: string) {
  return fetch(`${harness.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
}

interface Part {
  payload: IncrementalPayload;
  /** The drones service's requests as they stood when this part had been read. */
  drones: Stats['recent'];
}

/** Every part in arrival order, each with a look at the drones service taken on arrival. */
async function partsOf(response: Response): Promise<Part[]> {
  const parts: Part[] = [];
  for await (const payload of readIncremental(response)) {
    parts.push({ payload, drones: (await harness.stats('drones')).recent });
  }
  return parts;
}

type Node = Record<string, unknown> & { id: string };
function nodesOf(payload: IncrementalPayload): Node[] {
  const deliveries = payload.data?.deliveries as { edges: Array<{ node: Node }> } | undefined;
  if (!deliveries) throw new Error(`no deliveries in ${JSON.stringify(payload)}`);
  return deliveries.edges.map((edge) => edge.node);
}

describe('@defer', () => {
  it('answers a deferred DispatchBoard in two steps when drones are slow: everything else first, then the drones', async () => {
    await harness.chaos('drones', { latencyMs: 200 });
    const response = await post(DEFERRED_BOARD, { first: 5 }, 'multipart/mixed');
    expect(response.status).toBe(200);
    const parts = await partsOf(response);

    const [first, ...rest] = parts.map((part) => part.payload);
    expect(first?.hasNext).toBe(true);
    const nodes = nodesOf(first as IncrementalPayload);
    expect(nodes).toHaveLength(5);
    for (const node of nodes) {
      expect(Object.keys(node).sort()).toEqual([
        'charge',
        'eta',
        'id',
        'owner',
        'package',
        'status',
      ]);
    }
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.at(-1)?.hasNext).toBe(false);

    // Every drone arrives in a later part, labelled, at the path of its delivery.
    const deferred = rest.flatMap((payload) => payload.incremental ?? []);
    expect(deferred.map((item) => item.path).sort()).toEqual(
      nodes.map((_, index) => ['deliveries', 'edges', index, 'node']).sort(),
    );
    expect(deferred.every((item) => item.label === 'drone')).toBe(true);

    // Merged, it is what the plain DispatchBoard answers.
    const plain = await harness.graphql(operation('DispatchBoard'), {
      variables: { first: 5 },
      token,
    });
    const plainNodes = nodesOf(plain.body as IncrementalPayload);
    for (const item of deferred) {
      const index = item.path[2] as number;
      expect(item.data?.drone).toEqual(plainNodes[index]?.drone);
    }
  });

  it('sends the first part while the drones call is still unanswered', async () => {
    // A hung drones service: a first part that waited for it could never be sent.
    await harness.chaos('drones', { hang: true });
    const parts = await partsOf(await post(DEFERRED_BOARD, { first: 5 }, 'multipart/mixed'));

    const [first, ...rest] = parts;
    expect(nodesOf(first?.payload as IncrementalPayload)).toHaveLength(5);
    expect(first?.drones.length).toBeGreaterThan(0);
    expect(first?.drones.every((request) => request.status === 0)).toBe(true);

    // Then the drones' own deadline ends it: each drone null with its coded error.
    const deferred = rest.flatMap((part) => part.payload.incremental ?? []);
    expect(deferred.length).toBe(5);
    for (const item of deferred) {
      expect(item.data).toEqual({ drone: null });
      expect(item.errors?.map((error) => error.extensions?.code)).toEqual(['UPSTREAM_TIMEOUT']);
    }
    expect(rest.at(-1)?.payload.hasNext).toBe(false);
  });

  it('streams the same parts over SSE', async () => {
    await harness.chaos('drones', { latencyMs: 100 });
    const response = await post(DEFERRED_BOARD, { first: 3 }, 'text/event-stream');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const payloads = (await partsOf(response)).map((part) => part.payload);
    expect(payloads[0]?.hasNext).toBe(true);
    expect(nodesOf(payloads[0] as IncrementalPayload).some((node) => 'drone' in node)).toBe(false);
    expect(payloads.slice(1).flatMap((payload) => payload.incremental ?? [])).toHaveLength(3);
    expect(payloads.at(-1)?.hasNext).toBe(false);
  });

  it('answers a client that takes one JSON answer with everything in one answer', async () => {
    // @defer is a hint: an app version without multipart support still gets its data.
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await post(DEFERRED_BOARD, { first: 3 }, accept);
      expect(response.status).toBe(200);
      const body = (await response.json()) as IncrementalPayload;
      const plain = await harness.graphql(operation('DispatchBoard'), {
        variables: { first: 3 },
        token,
      });
      expect(body.hasNext).toBeUndefined();
      for (const [index, node] of nodesOf(body).entries()) {
        expect(node.drone).toEqual(nodesOf(plain.body as IncrementalPayload)[index]?.drone);
      }
    }
  });
});

describe('@stream', () => {
  it('sends the first items of a list, then the others in later parts, in order', async () => {
    const query = `query StreamedBoard {
      deliveries(first: 4) { edges @stream(initialCount: 1) { node { id status } } }
    }`;
    const payloads = (await partsOf(await post(query, {}, 'multipart/mixed'))).map(
      (part) => part.payload,
    );
    expect(nodesOf(payloads[0] as IncrementalPayload)).toHaveLength(1);
    const streamed = payloads.slice(1).flatMap((payload) => payload.incremental ?? []);
    expect(streamed.map((item) => item.path)).toEqual([
      ['deliveries', 'edges', 1],
      ['deliveries', 'edges', 2],
      ['deliveries', 'edges', 3],
    ]);

    const plain = await harness.graphql(query.replace(' @stream(initialCount: 1)', ''), { token });
    const all = [
      ...nodesOf(payloads[0] as IncrementalPayload),
      ...streamed.flatMap((item) => (item.items as Array<{ node: Node }>).map((edge) => edge.node)),
    ];
    expect(all).toEqual(nodesOf(plain.body as IncrementalPayload));
  });
});
