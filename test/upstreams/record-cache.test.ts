import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { sharedTtlMs } from '../../src/upstreams/record-cache.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { testScope } from '../helpers/scope.js';
import { thingsReader } from '../helpers/things-reader.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/** Upstream caching: what a service says a shared cache may keep is kept, by record, and nothing else. */

describe('through the BFF', () => {
  let harness: Harness;
  let token: string;
  beforeAll(async () => {
    harness = await startHarness({ UPSTREAM_RECORD_CACHE_SIZE: '1000' });
    token = await harness.token(await accountWithDeliveries(harness, 5));
  });
  afterAll(() => harness.close());

  it('serves packages (Cache-Control: max-age) from the cache; charges (no header) are asked again', async () => {
    await harness.reset();
    for (let i = 0; i < 3; i++) {
      const { body } = await harness.graphql(operation('MyDeliveries'), { token });
      expect(body.errors).toBeUndefined();
    }
    const counts = await harness.callCounts();
    expect(counts.packages).toBe(1);
    expect(counts.deliveries).toBe(3);
    expect(counts.payments).toBe(3);
  });
});

describe('a resource with a record cache', () => {
  let server: Server;
  const asked: string[] = [];
  let cacheControl: string | undefined = 'public, max-age=60';
  let extra: Record<string, string> = {};
  let origin: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const ids = new URL(request.url ?? '/', 'http://x').searchParams.get('ids') ?? '';
      asked.push(ids);
      response.writeHead(200, {
        'content-type': 'application/json',
        ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }),
        ...extra,
      });
      response.end(JSON.stringify({ data: ids.split(',').map((id) => ({ id, name: `n-${id}` })) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function withReader(
    test: (read: (ids: string[]) => Promise<string[]>) => Promise<void>,
  ): Promise<void> {
    const { reader, close } = thingsReader(origin, z.object({ id: z.string(), name: z.string() }));
    const call = testScope();
    asked.length = 0;
    try {
      await test(async (ids) => (await reader.getMany(ids, call)).map((r) => r.id).sort());
    } finally {
      await close();
    }
  }

  it('asks a batch only for the ids it does not keep', async () => {
    cacheControl = 'public, max-age=60';
    extra = {};
    await withReader(async (read) => {
      expect(await read(['a', 'b'])).toEqual(['a', 'b']);
      expect(await read(['b', 'c'])).toEqual(['b', 'c']);
      expect(await read(['a', 'c'])).toEqual(['a', 'c']);
      expect(asked).toEqual(['a,b', 'c']);
    });
  });

  it.each([
    ['private', 'private, max-age=60', {}],
    ['no-store', 'no-store', {}],
    ['no Cache-Control', undefined, {}],
    ['a Vary', 'public, max-age=60', { vary: 'x-skyway-caller' }],
    ['an Age as old as max-age', 'public, max-age=60', { age: '60' }],
  ])('keeps nothing from an answer with %s', async (_name, header, headers) => {
    cacheControl = header;
    extra = headers;
    await withReader(async (read) => {
      await read(['a']);
      await read(['a']);
      expect(asked).toEqual(['a', 'a']);
    });
  });
});

describe('sharedTtlMs', () => {
  const ttl = (headers: Record<string, string>) =>
    sharedTtlMs({ path: '/v1/things?ids=a', status: 200, headers });

  // The library counts from the moment it sees the answer: allow the test a second to run.
  const about = (ms: number) => [ms - 1_000, ms] as const;

  it('is what a shared cache may keep', () => {
    const within = (value: number, [low, high]: readonly [number, number]) => {
      expect(value).toBeGreaterThanOrEqual(low);
      expect(value).toBeLessThanOrEqual(high);
    };
    within(ttl({ 'cache-control': 'public, max-age=300' }), about(300_000));
    within(ttl({ 'cache-control': 'max-age=300, s-maxage=10' }), about(10_000));
    within(ttl({ 'cache-control': 'public, max-age=300', age: '100' }), about(200_000));
    expect(ttl({ 'cache-control': 'private, max-age=300' })).toBe(0);
    expect(ttl({ 'cache-control': 'no-cache, max-age=300' })).toBe(0);
    expect(ttl({ 'last-modified': 'Tue, 24 Nov 2026 00:00:00 GMT' })).toBe(0);
  });
});

describe('a packages service answering what it was not asked', () => {
  // In front of the real packages service: passes its answers on, altered as `mode` says.
  let mode: 'honest' | 'substitute' | 'extra' | 'flood' = 'honest';
  const asked: string[] = [];
  let real = '';
  let server: Server;
  let harness: Harness;
  let dispatcher: string;
  // The record a hostile answer plants; each test plants another id.
  let poisonId = 'pkg_000001';
  const poison = () => ({ id: poisonId, size: 'SMALL', weightKg: 1, tag: 'POISONED' });

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      asked.push(url.searchParams.get('ids') ?? url.pathname);
      const answer = await fetch(`${real}${url.pathname}${url.search}`);
      const body = (await answer.json()) as { data: Array<Record<string, unknown>> };
      if (mode === 'substitute') body.data = [poison()];
      if (mode === 'extra') body.data.push(poison());
      if (mode === 'flood') {
        body.data = Array.from({ length: 10_000 }, (_, i) => ({
          ...poison(),
          id: `pkg_${String(i + 1).padStart(6, '0')}`,
        }));
      }
      response.writeHead(answer.status, {
        'content-type': 'application/json',
        'cache-control': 'public, max-age=300',
      });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    harness = await startHarness({
      UPSTREAM_RECORD_CACHE_SIZE: '10000',
      UPSTREAM_PACKAGES_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      UPSTREAM_PACKAGES_RETRIES: '0',
    });
    real = harness.mocks.urls.packages;
    dispatcher = await harness.token('acc_0001', 'DISPATCHER');
  });
  afterAll(async () => {
    await harness.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The delivery carrying a package, as a global id. */
  const deliveryWith = (packageId: string) => {
    const delivery = [...harness.mocks.data.deliveries.values()].find(
      (d) => d.packageId === packageId,
    );
    if (delivery === undefined) throw new Error(`no delivery carries ${packageId}`);
    return encodeGlobalId('Delivery', delivery.id);
  };

  const PACKAGES = `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Delivery { package { id tag } } } }`;
  async function packagesOf(packageIds: string[]) {
    const { body } = await harness.graphql<{
      nodes: Array<{ package: { id: string; tag: string | null } | null }>;
    }>(PACKAGES, { token: dispatcher, variables: { ids: packageIds.map(deliveryWith) } });
    return {
      tags: body.data?.nodes.map((node) => node.package?.tag ?? null),
      errors: body.errors?.map((e) => `${e.extensions?.code}/${e.extensions?.reason}`) ?? [],
    };
  }

  it('a record put in place of the one asked for is dropped, kept nowhere, served to no one', async () => {
    mode = 'substitute';
    asked.length = 0;
    const first = await packagesOf(['pkg_000050']);
    expect(first.tags).toEqual([null]);
    mode = 'honest';
    const next = await packagesOf(['pkg_000001']);
    expect(next.tags).not.toContain('POISONED');
    // pkg_000001 came from the service when it was asked for, not from the cache.
    expect(asked).toEqual(['pkg_000050', 'pkg_000001']);
  });

  it('an answer with more records than ids asked is BAD_RESPONSE, and none of it is kept', async () => {
    mode = 'extra';
    poisonId = 'pkg_000002';
    asked.length = 0;
    const first = await packagesOf(['pkg_000060']);
    expect(first.errors).toEqual(['UPSTREAM_UNAVAILABLE/BAD_RESPONSE']);
    mode = 'honest';
    const next = await packagesOf(['pkg_000002', 'pkg_000060']);
    expect(next.errors).toEqual([]);
    expect(next.tags).not.toContain('POISONED');
    expect(asked).toEqual(['pkg_000060', 'pkg_000002,pkg_000060']);
  });

  it('10,000 records for a batch of three is BAD_RESPONSE and flushes nothing', async () => {
    mode = 'honest';
    await packagesOf(['pkg_000070']);
    mode = 'flood';
    poisonId = 'pkg_000003';
    asked.length = 0;
    const flood = await packagesOf(['pkg_000071', 'pkg_000072', 'pkg_000073']);
    expect(flood.errors).toEqual(Array(3).fill('UPSTREAM_UNAVAILABLE/BAD_RESPONSE'));
    mode = 'honest';
    const next = await packagesOf(['pkg_000070', 'pkg_000071']);
    expect(next.errors).toEqual([]);
    expect(next.tags).not.toContain('POISONED');
    // pkg_000070 is still kept (the flood flushed nothing); pkg_000071 was never kept.
    expect(asked).toEqual(['pkg_000071,pkg_000072,pkg_000073', 'pkg_000071']);
  });
});
