import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_RESILIENCE } from '../../src/resilience/options.js';
import { UpstreamHttpClient } from '../../src/upstreams/http-client.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/** Upstream HTTP caching: what a service says may be kept is kept, and nothing else. */

describe('through the BFF', () => {
  let harness: Harness;
  let token: string;
  beforeAll(async () => {
    harness = await startHarness({ UPSTREAM_HTTP_CACHE_BYTES: String(1024 * 1024) });
    token = await harness.token(await accountWithDeliveries(harness, 5));
  });
  afterAll(() => harness.close());

  it('serves packages (Cache-Control: max-age) from the cache; drones (no header) are asked again', async () => {
    await harness.reset();
    for (let i = 0; i < 3; i++) {
      const { body } = await harness.graphql(operation('MyDeliveries'), { token });
      expect(body.errors).toBeUndefined();
    }
    const counts = await harness.callCounts();
    expect(counts.packages).toBe(1);
    expect(counts.deliveries).toBe(3);
    expect(counts.drones).toBe(3);
  });
});

describe('the client cache', () => {
  let server: Server;
  let served = 0;
  let origin: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      served += 1;
      const privately = request.url?.startsWith('/private') ?? false;
      response.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': privately ? 'private, max-age=60' : 'public, max-age=60',
      });
      response.end(JSON.stringify({ served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () =>
    new UpstreamHttpClient('packages', origin, {
      connections: 2,
      maxBodyBytes: 1024,
      resilience: DEFAULT_RESILIENCE,
      cacheBytes: 1024 * 1024,
    });
  const get = (http: UpstreamHttpClient, path: string) =>
    http.send({ method: 'GET', route: 'GET /x', path }, z.object({ served: z.number() }), {
      signal: AbortSignal.timeout(2_000),
      deadline: Date.now() + 2_000,
      headers: {},
    });

  it('keeps a public answer and not a private one (it is a shared cache)', async () => {
    const http = client();
    try {
      served = 0;
      expect(await get(http, '/public')).toEqual({ served: 1 });
      expect(await get(http, '/public')).toEqual({ served: 1 });
      await get(http, '/private');
      await get(http, '/private');
      expect(served).toBe(3);
    } finally {
      await http.close();
    }
  });
});
