import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { startBffProcess, upstreamEnv } from '../helpers/bff-process.js';

/** SIGTERM while a slow query runs: the query completes, new connections are refused, exit 0. */

let mocks: MockServices;
beforeAll(async () => {
  mocks = await startMockServices();
});
afterAll(() => mocks.close());

async function dronesRequests(): Promise<number> {
  return ((await (await fetch(`${mocks.urls.drones}/__stats`)).json()) as { total: number }).total;
}

describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new ones and exits 0', async () => {
    // A generous attempt timeout: this test is about shutdown, not about deadlines.
    const bff = startBffProcess({ ...upstreamEnv(mocks), UPSTREAM_DRONES_TIMEOUT_MS: '2500' });
    const base = await bff.url;
    const token = (
      (await (
        await fetch(`${mocks.urls.accounts}/v1/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ accountId: 'acc_0001', role: 'DISPATCHER' }),
        })
      ).json()) as { token: string }
    ).token;
    await fetch(`${mocks.urls.drones}/__chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 600 }), // under the 1 s attempt timeout
    });

    const slow = fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query:
          '{ deliveries(first: 5, status: IN_TRANSIT) { edges { node { id drone { model } } } } }',
      }),
    });
    // Wait until the query is inside: the drones service has its request.
    for (let i = 0; i < 100 && (await dronesRequests()) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = bff.stop('SIGTERM');

    // The signal arrives asynchronously: soon new connections are refused, while the slow
    // query is still being answered.
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) {
      refused = await fetch(`${base}/healthz`).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refused).toBe(true);
    const answer = await slow;
    const body = (await answer.json()) as {
      data: { deliveries: { edges: Array<{ node: { drone: unknown } }> } };
      errors?: unknown;
    };
    expect(answer.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.deliveries.edges.every((edge) => edge.node.drone !== null)).toBe(true);
    expect(await exited).toBe(0);
  });
});
