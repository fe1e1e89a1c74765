import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type MockServices, startMockServices } from '../../mock-services/index.js';
import { DEFAULT_RESILIENCE } from '../../src/resilience/options.js';
import { UpstreamHttpClient } from '../../src/upstreams/http-client.js';
import { testScope } from '../helpers/scope.js';

/** Which calls the client repeats against a real failing service, counted by the service. */

let mocks: MockServices;
let client: UpstreamHttpClient;

const call = () => testScope();

async function chaos(body: Record<string, unknown>) {
  await fetch(`${mocks.urls.payments}/__chaos`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function requestsServed(): Promise<number> {
  await chaos({});
  const stats = (await (await fetch(`${mocks.urls.payments}/__stats`)).json()) as { total: number };
  return stats.total;
}

async function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  mocks = await startMockServices();
  client = new UpstreamHttpClient('payments', mocks.urls.payments, {
    connections: 4,
    maxBodyBytes: 1024 * 1024,
    resilience: { ...DEFAULT_RESILIENCE, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } },
  });
});
afterEach(async () => {
  await fetch(`${mocks.urls.payments}/__reset`, { method: 'POST' });
});
afterAll(async () => {
  await client.close();
  await mocks.close();
});

const getCharges = () =>
  client.send(
    { method: 'GET', route: 'GET /v1/charges', path: '/v1/charges?ids=chg_000001' },
    z.unknown(),
    call(),
  );

const postCharge = (idempotencyKey?: string) =>
  client.send(
    {
      method: 'POST',
      route: 'POST /v1/charges',
      path: '/v1/charges',
      body: { deliveryId: 'del_000001', amountCents: 100, currency: 'EUR' },
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    },
    z.unknown(),
    call(),
  );

describe('retries against a real service', () => {
  it('a GET answered 503 with Retry-After is tried three times in all', async () => {
    await chaos({ errorRate: 1, errorStatus: 503, retryAfterS: 0 });
    expect(await settle(getCharges())).toMatchObject({ reason: 'HTTP_5XX', status: 503 });
    expect(await requestsServed()).toBe(3);
  });

  it('a POST with an Idempotency-Key is retried', async () => {
    await chaos({ errorRate: 1, errorStatus: 502 });
    await settle(postCharge('key-1'));
    expect(await requestsServed()).toBe(3);
  });

  it('a POST without an Idempotency-Key is never retried', async () => {
    await chaos({ errorRate: 1, errorStatus: 503 });
    await settle(postCharge());
    expect(await requestsServed()).toBe(1);
  });

  it('a 400 is never retried', async () => {
    const error = await settle(
      client.send(
        { method: 'GET', route: 'GET /v1/charges', path: '/v1/charges?ids=' },
        z.unknown(),
        call(),
      ),
    );
    expect(error).toMatchObject({ status: 400 });
    expect(await requestsServed()).toBe(1);
  });

  it('an answer cut off mid-body is a BAD_RESPONSE and is not retried', async () => {
    await chaos({ resetConnections: true });
    expect(await settle(getCharges())).toMatchObject({ reason: 'BAD_RESPONSE' });
    expect(await requestsServed()).toBe(1);
  });
});
