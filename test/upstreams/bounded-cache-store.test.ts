import { describe, expect, it } from 'vitest';
import { BoundedCacheStore } from '../../src/upstreams/bounded-cache-store.js';

/** The upstream HTTP cache's store: its bound, its order, variants and expiry. */

const ORIGIN = 'http://packages.test';

function key(path: string, headers?: Record<string, string>) {
  return { origin: ORIGIN, method: 'GET', path, ...(headers ? { headers } : {}) };
}

/** Stores one answer of `bytes` bytes for `path`, as undici's cache interceptor does. */
async function put(
  store: BoundedCacheStore,
  path: string,
  bytes: number,
  options: { vary?: Record<string, string>; headers?: Record<string, string>; ttlMs?: number } = {},
) {
  const now = Date.now();
  const stream = store.createWriteStream(key(path, options.headers), {
    statusCode: 200,
    statusMessage: 'OK',
    headers: { 'content-type': 'application/json' },
    ...(options.vary ? { vary: options.vary } : {}),
    cachedAt: now,
    staleAt: now + (options.ttlMs ?? 60_000),
    deleteAt: now + (options.ttlMs ?? 60_000),
  });
  await new Promise<void>((resolve) => {
    stream.on('close', resolve);
    stream.end(Buffer.alloc(bytes, 'x'));
  });
}

const bodyOf = (store: BoundedCacheStore, path: string, headers?: Record<string, string>) => {
  const found = store.get(key(path, headers));
  return found && 'body' in found ? Buffer.concat(found.body as Buffer[]).length : undefined;
};

describe('BoundedCacheStore', () => {
  it('never holds more than its bytes, however many URLs pass through it', async () => {
    const store = new BoundedCacheStore({ maxBytes: 10_000 });
    for (let i = 0; i < 2_000; i += 1) {
      await put(store, `/v1/packages?ids=pkg_${i}`, 100);
      expect(store.size).toBeLessThanOrEqual(10_000);
    }
    expect(bodyOf(store, '/v1/packages?ids=pkg_1999')).toBe(100);
    expect(bodyOf(store, '/v1/packages?ids=pkg_0')).toBeUndefined();
  });

  it('counts headers and bookkeeping too: empty answers cannot pass the bound', async () => {
    const store = new BoundedCacheStore({ maxBytes: 10_000 });
    for (let i = 0; i < 1_000; i += 1) await put(store, `/empty/${i}`, 0);
    expect(store.size).toBeLessThanOrEqual(10_000);
    expect(store.size).toBeGreaterThan(9_000);
  });

  it('drops the least recently used URL first', async () => {
    // Each answer: 1,000 bytes of body plus its headers and bookkeeping; three fit.
    const store = new BoundedCacheStore({ maxBytes: 3_900, maxEntryBytes: 1_300 });
    await put(store, '/a', 1_000);
    await put(store, '/b', 1_000);
    await put(store, '/c', 1_000);
    expect(bodyOf(store, '/a')).toBe(1_000); // /a is now the most recently used
    await put(store, '/d', 1_000);
    expect(bodyOf(store, '/b')).toBeUndefined();
    expect(bodyOf(store, '/a')).toBe(1_000);
    expect(bodyOf(store, '/d')).toBe(1_000);
  });

  it('keeps at most 8 variants of one URL, the newest', async () => {
    const store = new BoundedCacheStore({ maxBytes: 100_000 });
    const asking = (i: number) => ({ 'x-request-id': `r${i}` });
    for (let i = 0; i < 20; i += 1) {
      await put(store, '/varies', 10, { vary: asking(i), headers: asking(i) });
    }
    expect(bodyOf(store, '/varies', asking(19))).toBe(10);
    expect(bodyOf(store, '/varies', asking(12))).toBe(10);
    expect(bodyOf(store, '/varies', asking(11))).toBeUndefined();
  });

  it('keeps one variant per value of the headers an answer varies on', async () => {
    const store = new BoundedCacheStore({ maxBytes: 10_000 });
    const english = { 'accept-language': 'en' };
    const german = { 'accept-language': 'de' };
    await put(store, '/v1/drones/models', 10, { vary: english, headers: english });
    await put(store, '/v1/drones/models', 20, { vary: german, headers: german });
    expect(bodyOf(store, '/v1/drones/models', english)).toBe(10);
    expect(bodyOf(store, '/v1/drones/models', german)).toBe(20);
    expect(bodyOf(store, '/v1/drones/models', { 'accept-language': 'fr' })).toBeUndefined();
    expect(bodyOf(store, '/v1/drones/models')).toBeUndefined();
  });

  it('forgets an answer once it may no longer be used, and one too large to keep', async () => {
    const store = new BoundedCacheStore({ maxBytes: 10_000, maxEntryBytes: 1_000 });
    await put(store, '/expired', 10, { ttlMs: -1 });
    await put(store, '/large', 1_000); // with its headers, over 1,000
    await put(store, '/kept', 500);
    expect(bodyOf(store, '/expired')).toBeUndefined();
    expect(bodyOf(store, '/large')).toBeUndefined();
    expect(bodyOf(store, '/kept')).toBe(500);
    store.delete(key('/kept'));
    expect(bodyOf(store, '/kept')).toBeUndefined();
  });
});
