import { Writable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { interceptors } from 'undici';

/**
 * The store behind the upstream HTTP cache (undici's cache interceptor): answers kept in
 * memory up to a number of bytes, the least recently used URL dropped first.
 *
 * undici 7's own `MemoryCacheStore` does not hold its bound: past its limits it removes half
 * of each URL's variants, and with one variant per URL (every `?ids=` batch is a URL of its
 * own) that is none, so every later write walks every cached URL while the store keeps
 * growing (10.7 % of the BFF's CPU in the bench). Here lru-cache keeps the bound and the order;
 * this file only adds what HTTP caching needs on top: variants of one URL by method and by the
 * request headers its answer `Vary`s on, and their expiry.
 */

type CacheStore = NonNullable<NonNullable<Parameters<typeof interceptors.cache>[0]>['store']>;
type CacheKey = Parameters<CacheStore['get']>[0];
type CacheValue = Parameters<CacheStore['createWriteStream']>[1];
type Headers = CacheKey['headers'];

interface Variant extends CacheValue {
  method: string;
  body: Buffer[];
  /** Bytes of the body. */
  size: number;
  /** What keeping it costs: the body, the headers and a fixed share for the rest. */
  footprint: number;
}

/** The bookkeeping of one kept answer besides its body and headers, roughly. */
const VARIANT_OVERHEAD_BYTES = 256;
/**
 * Variants kept per URL. An upstream that `Vary`s on a header that differs with every request
 * (a request id, a token) would otherwise fill a URL with variants no later request matches.
 */
const MAX_VARIANTS_PER_URL = 8;

export interface BoundedCacheStoreOptions {
  /** Bytes kept in all: bodies, headers and bookkeeping. */
  maxBytes: number;
  /** The largest answer kept; larger ones are passed on and not kept. Default: a tenth. */
  maxEntryBytes?: number;
}

export class BoundedCacheStore implements CacheStore {
  readonly #variants: LRUCache<string, Variant[]>;
  readonly #maxEntryBytes: number;

  constructor({ maxBytes, maxEntryBytes = Math.floor(maxBytes / 10) }: BoundedCacheStoreOptions) {
    this.#maxEntryBytes = maxEntryBytes;
    this.#variants = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (variants) => variants.reduce((sum, v) => sum + v.footprint, 0),
    });
  }

  /** Bytes kept now, as counted against the bound (bodies, headers, bookkeeping). */
  get size(): number {
    return this.#variants.calculatedSize;
  }

  get(key: CacheKey) {
    const now = Date.now();
    const variant = this.#variants.get(urlOf(key))?.find((v) => matches(v, key, now));
    if (variant === undefined) return undefined;
    const { method: _method, size: _size, footprint: _footprint, ...answer } = variant;
    return { ...answer, cacheControlDirectives: variant.cacheControlDirectives ?? {} };
  }

  createWriteStream(key: CacheKey, value: CacheValue): Writable {
    const variant: Variant = {
      ...value,
      method: key.method,
      body: [],
      size: 0,
      footprint: VARIANT_OVERHEAD_BYTES + headerBytes(value.headers),
    };
    const store = this;
    return new Writable({
      write(chunk: Buffer | string, encoding, callback) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
        variant.size += buffer.byteLength;
        // Too large to keep: stop collecting; the answer itself still reaches its caller.
        if (variant.size > store.#maxEntryBytes) this.destroy();
        else variant.body.push(buffer);
        callback(null);
      },
      final(callback) {
        const url = urlOf(key);
        const now = Date.now();
        // The variant this answer replaces, and expired ones, go; the newest others stay.
        const others = (store.#variants.peek(url) ?? [])
          .filter((v) => v.deleteAt > now && !matches(v, key, now))
          .slice(-(MAX_VARIANTS_PER_URL - 1));
        variant.footprint += variant.size;
        if (variant.footprint <= store.#maxEntryBytes) {
          store.#variants.set(url, [...others, variant]);
        }
        callback(null);
      },
    });
  }

  delete(key: CacheKey): void {
    this.#variants.delete(urlOf(key));
  }
}

function headerBytes(headers: CacheValue['headers']): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    bytes += name.length + (Array.isArray(value) ? value.join(', ').length : value.length);
  }
  return bytes;
}

function urlOf(key: CacheKey): string {
  return `${key.origin}${key.path}`;
}

/** Whether a kept variant answers this request: same method, unexpired, same varied headers. */
function matches(variant: Variant, key: CacheKey, now: number): boolean {
  if (variant.deleteAt <= now || variant.method !== key.method) return false;
  for (const [name, value] of Object.entries(variant.vary ?? {})) {
    if (!sameHeader(key.headers?.[name], value)) return false;
  }
  return true;
}

function sameHeader(asked: NonNullable<Headers>[string] | undefined, kept: unknown): boolean {
  if (asked == null || kept == null) return asked == null && kept == null;
  if (Array.isArray(asked) && Array.isArray(kept)) {
    return asked.length === kept.length && asked.every((value, i) => value === kept[i]);
  }
  return asked === kept;
}
