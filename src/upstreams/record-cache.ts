import type { IncomingHttpHeaders } from 'node:http';
import CachePolicy from 'http-cache-semantics';
import { LRUCache } from 'lru-cache';

/**
 * Records an upstream says may be kept (`Cache-Control`), by id, for as long as it says: a
 * shared cache, so `private`, `no-store` and anything that varies with the request (`Vary`)
 * are never kept. What may be kept, and for how long, is judged by `http-cache-semantics`
 * (the library Apollo's RESTDataSource and `got` use) as a shared cache would.
 *
 * Per record, not per URL: every read goes through batch routes (`?ids=a,b,c`), and the same
 * set of ids seldom comes twice, so a URL cache stored answers that were never asked for
 * again (it cost 3–21 % more CPU per query than no cache in the bench). Per record, a batch
 * asks the service only for the ids the cache lacks, whatever set they came in.
 *
 * Records are kept as parsed and validated, and shared by every request: nothing may change
 * them (nothing does; resolvers only read). The least recently used go first past `max`.
 */
export class RecordCache<T extends { id: string }> {
  readonly #records: LRUCache<string, T>;

  constructor(max: number) {
    this.#records = new LRUCache<string, T>({ max });
  }

  /** The record, while it is fresh. */
  get(id: string): T | undefined {
    return this.#records.get(id);
  }

  /** Keeps the records of one answer for `ttlMs` (its `sharedTtlMs`); none when 0. */
  keep(records: readonly T[], ttlMs: number): void {
    if (ttlMs <= 0) return;
    for (const record of records) this.#records.set(record.id, record, { ttl: ttlMs });
  }

  get size(): number {
    return this.#records.size;
  }
}

/** What the cache needs of an answer: the request it answered and its status and headers. */
export interface CachedAnswer {
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
}

/**
 * How long a shared cache may serve this answer, in ms; 0 when it may not keep it. Answers
 * without `Cache-Control` are not kept at all (no heuristic freshness from `Last-Modified`),
 * and neither is one with a `Vary`: a record kept by id cannot tell the variants apart.
 */
export function sharedTtlMs({ path, status, headers }: CachedAnswer): number {
  if (headers['cache-control'] === undefined || headers.vary !== undefined) return 0;
  const policy = new CachePolicy(
    { url: path, method: 'GET', headers: {} },
    { status, headers: headers as CachePolicy.Headers },
    { shared: true },
  );
  return policy.storable() ? policy.timeToLive() : 0;
}
