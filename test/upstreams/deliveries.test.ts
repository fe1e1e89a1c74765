import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/** The deliveries client's list pages: only what the filter asked for reaches a screen. */

describe('a deliveries service answering pages it was not asked for', () => {
  // In front of the real deliveries service: passes its answers on, altered as `mode` says.
  let mode: 'honest' | 'foreign' | 'oversized' = 'honest';
  let real = '';
  let server: Server;
  let harness: Harness;
  let ownerId: string;
  let token: string;

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const answer = await fetch(`${real}${url.pathname}${url.search}`);
      const body = (await answer.json()) as { data?: Array<Record<string, unknown>> };
      const listing = url.pathname === '/v1/deliveries' && url.searchParams.has('ownerId');
      if (listing && body.data !== undefined && mode !== 'honest') {
        const other = [...harness.mocks.data.deliveries.values()].find(
          (delivery) => delivery.ownerId !== ownerId,
        );
        if (mode === 'foreign') body.data = [other, ...body.data.slice(1)] as typeof body.data;
        if (mode === 'oversized') body.data = [...body.data, ...body.data];
      }
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    harness = await startHarness({
      UPSTREAM_DELIVERIES_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    real = harness.mocks.urls.deliveries;
    ownerId = await accountWithDeliveries(harness, 5);
    token = await harness.token(ownerId);
  });
  afterAll(async () => {
    await harness.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  interface Home {
    viewer: { deliveries: { edges: Array<{ node: { id: string } }> } | null };
  }
  const home = () =>
    harness.graphql<Home>(operation('MyDeliveries'), { token, variables: { first: 5 } });

  it("another owner's delivery slipped into a customer's page is not shown", async () => {
    mode = 'honest';
    const honest = (await home()).body.data?.viewer.deliveries?.edges ?? [];
    expect(honest).toHaveLength(5);
    mode = 'foreign';
    const { body } = await home();
    expect(body.errors).toBeUndefined();
    // The first of the five was replaced by a stranger's: four of the caller's own remain.
    expect(body.data?.viewer.deliveries?.edges.map((edge) => edge.node.id)).toEqual(
      honest.slice(1).map((edge) => edge.node.id),
    );
  });

  it('a page longer than its limit is BAD_RESPONSE', async () => {
    mode = 'oversized';
    const { body } = await home();
    expect(body.data?.viewer.deliveries).toBeNull();
    expect(body.errors?.map((e) => `${e.extensions?.code}/${e.extensions?.reason}`)).toEqual([
      'UPSTREAM_UNAVAILABLE/BAD_RESPONSE',
    ]);
  });
});
