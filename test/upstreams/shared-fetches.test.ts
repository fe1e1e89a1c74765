import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_RESILIENCE } from '../../src/resilience/options.js';
import type { ResourceReader } from '../../src/upstreams/resource.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { testScope } from '../helpers/scope.js';
import { thingsReader } from '../helpers/things-reader.js';

/**
 * Concurrent reads of the same records share one upstream read across requests, only when
 * the service lets a shared cache keep the answer (`shared-fetches.ts`).
 */

describe('fifty dispatchers opening the board at once', () => {
  let harness: Harness;
  beforeAll(async () => {
    // Budgets wide enough that a loaded machine times nothing out: this test counts calls.
    harness = await startHarness({
      UPSTREAM_RECORD_CACHE_SIZE: '10000',
      REQUEST_TIMEOUT_MS: '15000',
      IDEMPOTENCY_LEASE_MS: '20000',
      UPSTREAM_TIMEOUT_MS: '10000',
    });
  });
  afterAll(() => harness.close());

  it('make one packages call and one drones call in all, and still one private call each', async () => {
    const DISPATCHERS = 50;
    const tokens = await Promise.all(
      Array.from({ length: DISPATCHERS }, (_, i) =>
        harness.token(`acc_${String(i + 1).padStart(4, '0')}`, 'DISPATCHER'),
      ),
    );
    await harness.reset();
    // Slow packages and drones, so that every board's reads of them overlap the first one's
    // however slowly this machine runs fifty boards.
    await harness.chaos('packages', { latencyMs: 3_000 });
    await harness.chaos('drones', { latencyMs: 3_000 });
    const boards = await Promise.all(
      tokens.map((token) => harness.graphql(operation('DispatchBoard'), { token })),
    );
    for (const { body } of boards) expect(body.errors).toBeUndefined();
    // Every board shows the same page, drones included.
    const first = JSON.stringify(boards[0]?.body.data);
    expect(first).toContain('"drone":{');
    for (const { body } of boards) expect(JSON.stringify(body.data)).toBe(first);

    const counts = await harness.callCounts();
    expect(counts.packages).toBe(1);
    expect(counts.drones).toBe(1);
    // Owners and charges are private (no Cache-Control): never shared, one read per board.
    const reads = async (service: 'accounts' | 'payments', route: string) =>
      (await harness.stats(service)).routes[route];
    expect(await reads('accounts', 'GET /v1/accounts')).toBe(DISPATCHERS);
    expect(await reads('payments', 'GET /v1/charges')).toBe(DISPATCHERS);
    expect(counts.deliveries).toBe(DISPATCHERS);
  });
});

describe('a resource read by several requests at once', () => {
  // Holds every answer until the test lets it go, so reads overlap for certain.
  let server: Server;
  let origin: string;
  const asked: string[] = [];
  const held: Array<() => void> = [];
  let answer: (ids: string[], response: ServerResponse, request: IncomingMessage) => void;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const ids = (new URL(request.url ?? '/', 'http://x').searchParams.get('ids') ?? '').split(
        ',',
      );
      asked.push(ids.join(','));
      const respond = answer; // as the service would answer when asked
      held.push(() => respond(ids, response, request));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    asked.length = 0;
    held.length = 0;
  });

  /** Answers each id with a record naming the caller the service saw. */
  const answering =
    (headers: Record<string, string>) =>
    (ids: string[], response: ServerResponse, request: IncomingMessage) => {
      response.writeHead(200, { 'content-type': 'application/json', ...headers });
      const caller = String(request.headers['x-test-caller'] ?? '');
      response.end(JSON.stringify({ data: ids.map((id) => ({ id, caller })) }));
    };

  /** Lets go of held answers until `done` settles. */
  async function release(done: Promise<unknown>): Promise<void> {
    let settled = false;
    void done.finally(() => {
      settled = true;
    });
    while (!settled) {
      const next = held.shift();
      if (next) next();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async function withReader(
    test: (
      read: (caller: string, ids: string[], budgetMs?: number) => Promise<string[]>,
      reader: ResourceReader<{ id: string; caller: string }>,
    ) => Promise<void>,
  ): Promise<void> {
    const { reader, close } = thingsReader(
      origin,
      z.object({ id: z.string(), caller: z.string() }),
      { ...DEFAULT_RESILIENCE, retry: { ...DEFAULT_RESILIENCE.retry, maxRetries: 0 } },
    );
    const read = async (caller: string, ids: string[], budgetMs = 2_000) => {
      const scope = testScope(budgetMs, caller);
      const headers = scope.headers as Record<string, string>;
      headers['x-test-caller'] = caller;
      const records = await reader.getMany(ids, scope);
      return records.map((record) => `${record.id}:${record.caller}`).sort();
    };
    try {
      await test(read, reader);
    } finally {
      await close();
    }
  }

  it('share one read of a public answer; each asks only for what nobody is reading', async () => {
    answer = answering({ 'cache-control': 'public, max-age=1' });
    await withReader(async (read, reader) => {
      const first = read('alice', ['a', 'b']);
      await waitUntilAsked(1);
      const both = Promise.all([first, read('bob', ['b', 'c']), read('carol', ['a', 'b'])]);
      await release(both);
      expect(await both).toEqual([
        ['a:alice', 'b:alice'],
        ['b:alice', 'c:bob'],
        ['a:alice', 'b:alice'],
      ]);
      expect(asked).toEqual(['a,b', 'c']);
      expect(reader.joined).toBe(3);
    });
  });

  it.each([
    ['private', { 'cache-control': 'private, max-age=60' }],
    ['no-store', { 'cache-control': 'no-store' }],
    ['no Cache-Control', {}],
    ['a Vary on a caller header', { 'cache-control': 'public, max-age=60', vary: 'x-test-caller' }],
  ])('never hand on an answer with %s: each caller gets its own', async (_name, headers) => {
    answer = answering(headers);
    await withReader(async (read, reader) => {
      const first = read('alice', ['a']);
      await waitUntilAsked(1);
      // Bob's read starts while Alice's is in flight: it may wait for it, never take it.
      const both = Promise.all([first, read('bob', ['a'])]);
      await release(both);
      expect(await both).toEqual([['a:alice'], ['a:bob']]);
      expect(asked).toEqual(['a', 'a']);
      expect(reader.joined).toBe(0);
      // Having seen a private answer, later reads no longer wait for another's.
      const again = Promise.all([read('alice', ['a']), read('bob', ['a'])]);
      await waitUntilAsked(4);
      await release(again);
      expect(await again).toEqual([['a:alice'], ['a:bob']]);
    });
  });

  it('reads for itself when the read it waited for fails, and never outlives its own budget', async () => {
    await withReader(async (read, reader) => {
      answer = answering({ 'cache-control': 'public, max-age=1' });
      await release(read('warm', ['z'])); // the resource is known to be shareable
      answer = (_ids, response) => {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'UNAVAILABLE' } }));
      };
      const failing = read('alice', ['a']).catch((error: Error) => error.message);
      await waitUntilAsked(2);
      const bob = read('bob', ['a']);
      answer = answering({ 'cache-control': 'public, max-age=1' });
      // Alice's read fails; Bob, who waited for it, asks for himself and gets his answer.
      held.shift()?.();
      const failed = await failing;
      expect(failed).toMatch(/unavailable/i);
      await release(bob);
      expect(await bob).toEqual(['a:bob']);
      expect(reader.joined).toBe(0);

      // A joiner with a shorter budget than the read it waits for times out on its own.
      const long = read('carol', ['q'], 5_000);
      await waitUntilAsked(4);
      const short = await read('dave', ['q'], 50).catch(
        (error: { extensions?: { code?: string } }) => String(error.extensions?.code),
      );
      expect(short).toBe('UPSTREAM_TIMEOUT');
      await release(long);
      expect(await long).toEqual(['q:carol']);
      expect(asked).toEqual(['z', 'a', 'a', 'q']);
    });
  });

  async function waitUntilAsked(count: number): Promise<void> {
    for (let i = 0; i < 1_000 && asked.length < count; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(asked.length).toBe(count);
  }
});
