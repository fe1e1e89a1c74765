import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { RequestScope } from '../../src/request-scope.js';
import { DEFAULT_RESILIENCE } from '../../src/resilience/options.js';
import {
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../../src/upstreams/errors.js';
import { UpstreamHttpClient } from '../../src/upstreams/http-client.js';
import { DroneBatch, DroneRecord } from '../../src/upstreams/records.js';
import { ResourceReader } from '../../src/upstreams/resource.js';
import { testScope } from '../helpers/scope.js';

/** The boundary: every answer of a real service is a validated value or a coded error. */

let mocks: MockServices;
let client: UpstreamHttpClient;
let drones: ResourceReader<DroneRecord>;

const call = (timeoutMs = 2_000) => testScope(timeoutMs);

/** A client with the default policy but no waiting between retries. */
const clientFor = (origin: string, maxBodyBytes = 64 * 1024) =>
  new UpstreamHttpClient('drones', origin, {
    connections: 4,
    maxBodyBytes,
    resilience: { ...DEFAULT_RESILIENCE, retry: { maxRetries: 2, baseDelayMs: 0, maxDelayMs: 0 } },
  });

async function chaos(body: Record<string, unknown>) {
  const answer = await fetch(`${mocks.urls.drones}/__chaos`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(200);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  mocks = await startMockServices();
  client = clientFor(mocks.urls.drones);
  drones = new ResourceReader(client, '/v1/drones', DroneRecord, DroneBatch);
});
afterEach(() => chaos({}));
afterAll(async () => {
  await client.close();
  await mocks.close();
});

describe('UpstreamHttpClient', () => {
  it('reads and validates a record, and gives null for a 404', async () => {
    const drone = await drones.getOne('drn_001', call());
    expect(drone?.id).toBe('drn_001');
    expect(await drones.getOne('drn_999', call())).toBeNull();
  });

  it('counts the calls of a request while they run, failed ones too', async () => {
    const context = call();
    const pending = [drones.getMany(['drn_003'], context), drones.getOne('drn_004', context)];
    expect(context.inFlight).toBe(2);
    await Promise.all(pending);
    expect(context.inFlight).toBe(0);
    await chaos({ errorRate: 1, errorStatus: 500 });
    await failure(drones.getMany(['drn_005'], context));
    expect(context.inFlight).toBe(0);
  });

  it('forwards x-request-id and the traceparent of the request it serves', async () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const scope = new RequestScope({ requestId: 'req-42', budgetMs: 2_000, traceparent: incoming });
    await drones.getMany(['drn_002'], scope);
    const stats = (await (await fetch(`${mocks.urls.drones}/__stats`)).json()) as {
      recent: Array<{ requestId: string | null; traceparent: string | null }>;
    };
    // The client's trace continues: same trace id, this hop as the parent span.
    expect(stats.recent.at(-1)).toMatchObject({
      requestId: 'req-42',
      traceparent: scope.headers.traceparent,
    });
    expect(scope.headers.traceparent).toMatch(
      /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/,
    );
  });

  it('turns a 5xx into UPSTREAM_UNAVAILABLE HTTP_5XX', async () => {
    await chaos({ errorRate: 1, errorStatus: 503 });
    const error = await failure(drones.getOne('drn_001', call()));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error).toMatchObject({ upstream: 'drones', reason: 'HTTP_5XX' });
  });

  it('turns a body that is not JSON into BAD_RESPONSE', async () => {
    await chaos({ malformed: 'syntax' });
    expect(await failure(drones.getMany(['drn_001'], call()))).toMatchObject({
      reason: 'BAD_RESPONSE',
    });
  });

  it('turns JSON of the wrong shape into BAD_RESPONSE', async () => {
    await chaos({ malformed: 'shape' });
    expect(await failure(drones.getMany(['drn_001'], call()))).toMatchObject({
      reason: 'BAD_RESPONSE',
    });
  });

  it('refuses a body over the size limit with BAD_RESPONSE', async () => {
    const small = clientFor(mocks.urls.drones, 200);
    try {
      const ids = Array.from({ length: 50 }, (_, i) => `drn_${String(i + 1).padStart(3, '0')}`);
      const error = await failure(
        new ResourceReader(small, '/v1/drones', DroneRecord, DroneBatch).getMany(ids, call()),
      );
      expect(error).toMatchObject({ reason: 'BAD_RESPONSE' });
    } finally {
      await small.close();
    }
  });

  it('turns a connection cut mid-answer into an unavailable error', async () => {
    await chaos({ resetConnections: true });
    const error = await failure(drones.getMany(['drn_001'], call()));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(['BAD_RESPONSE', 'CONNECTION']).toContain((error as UpstreamUnavailableError).reason);
  });

  it('gives UPSTREAM_TIMEOUT when the deadline passes, aborting the call', async () => {
    await chaos({ hang: true });
    const error = await failure(drones.getOne('drn_001', call(150)));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', upstream: 'drones' });
  });

  it("gives UPSTREAM_TIMEOUT when a body stalls midway past the attempt's deadline, and closes it", async () => {
    let closed = false;
    const stalling = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id": "drn_001", "model":');
      response.socket?.once('close', () => {
        closed = true;
      });
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
    const quick = new UpstreamHttpClient('drones', origin, {
      connections: 1,
      maxBodyBytes: 64 * 1024,
      resilience: { ...DEFAULT_RESILIENCE, attemptTimeoutMs: 200 },
    });
    try {
      const error = await failure(
        new ResourceReader(quick, '/v1/drones', DroneRecord, DroneBatch).getOne(
          'drn_001',
          call(5_000),
        ),
      );
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(quick.policy.counters.attempts).toBe(1);
      await expect.poll(() => closed).toBe(true);
    } finally {
      await quick.close();
      stalling.closeAllConnections();
      await new Promise<void>((resolve) => stalling.close(() => resolve()));
    }
  });

  it('gives CONNECTION when nothing listens', async () => {
    const nowhere = clientFor('http://127.0.0.1:9');
    try {
      const error = await failure(
        new ResourceReader(nowhere, '/v1/drones', DroneRecord, DroneBatch).getOne('x', call()),
      );
      expect(error).toMatchObject({ reason: 'CONNECTION' });
    } finally {
      await nowhere.close();
    }
  });

  it('passes a coded 4xx on as a rejection with its code', async () => {
    const error = await failure(
      client.send(
        { method: 'GET', route: 'GET /v1/drones', path: '/v1/drones?ids=' },
        z.unknown(),
        call(),
      ),
    );
    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect(error).toMatchObject({ status: 400, upstreamCode: 'BAD_REQUEST' });
    expect((error as UpstreamRejectedError).extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: 'drones',
      reason: 'HTTP_4XX',
    });
  });
});
