import type { UpstreamName } from '../config.js';
import type { AnswerSchema } from './answer-schema.js';
import { isNotFound, UpstreamUnavailableError } from './errors.js';
import type { Answer, CallScope, UpstreamHttpClient } from './http-client.js';
import { RecordCache, sharedTtlMs } from './record-cache.js';
import { SharedFetches } from './shared-fetches.js';

/**
 * The two reads every service offers for each resource: one record by id, and many by
 * `?ids=` (the route DataLoader batches go to). Each client composes one per resource, and
 * one reader serves every request of the process.
 *
 * Records the service lets a shared cache keep are answered from a `RecordCache` while they
 * are fresh, and a batch asks only for the ids the cache lacks; of those, the ids another
 * request is already reading are waited for (`SharedFetches`), not asked again, when that
 * read's answer may be shared. Both are off when the cache size is 0.
 *
 * Only what was asked for is kept or handed on: a record the service adds unasked (another id,
 * perhaps with made-up content) is dropped, and an answer with more records than ids asked is
 * a BAD_RESPONSE. Otherwise a broken or hostile service could plant a record in the shared
 * cache for other callers to read, or flush the cache with one huge answer.
 */
export class ResourceReader<T extends { id: string }> {
  readonly #cache: RecordCache<T> | undefined;
  readonly #inFlight: SharedFetches<T> | undefined;
  /** Records answered from the cache (a scrape reads it). */
  cached = 0;

  constructor(
    private readonly http: UpstreamHttpClient,
    /** e.g. `/v1/drones` */
    readonly collection: string,
    private readonly record: AnswerSchema<T>,
    /** `{ data: [records] }`: the answer of a batch get (`?ids=`). */
    private readonly batch: AnswerSchema<{ data: T[] }>,
  ) {
    if (http.recordCacheSize > 0) {
      this.#cache = new RecordCache(http.recordCacheSize);
      this.#inFlight = new SharedFetches();
    }
  }

  get upstream(): UpstreamName {
    return this.http.upstream;
  }

  /** Records handed to a request from another request's read in flight. */
  get joined(): number {
    return this.#inFlight?.joined ?? 0;
  }

  /** One record, or null when the service answers 404. */
  async getOne(id: string, call: CallScope): Promise<T | null> {
    const kept = this.#cache?.get(id);
    if (kept !== undefined) {
      this.cached += 1;
      return kept;
    }
    const path = `${this.collection}/${encodeURIComponent(id)}`;
    try {
      const answer = await this.http.sendWithHeaders(
        { method: 'GET', route: `GET ${this.collection}/{id}`, path },
        this.record,
        call,
      );
      if (answer.data.id !== id) {
        throw new UpstreamUnavailableError(this.http.upstream, 'BAD_RESPONSE', {
          detail: 'the record answered is not the one asked for',
        });
      }
      this.#cache?.keep([answer.data], this.#ttlMs(path, answer));
      return answer.data;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The records found for `ids`, in no promised order; unknown ids are simply absent. */
  async getMany(ids: readonly string[], call: CallScope): Promise<T[]> {
    const cache = this.#cache;
    const inFlight = this.#inFlight;
    if (cache === undefined || inFlight === undefined) return this.#read(ids, call);
    const kept: T[] = [];
    const missing = ids.filter((id) => {
      const record = cache.get(id);
      if (record !== undefined) kept.push(record);
      return record === undefined;
    });
    this.cached += kept.length;
    if (missing.length === 0) return kept;

    const { own, waiting } = inFlight.split(missing);
    const [read, { shared, unshared }] = await Promise.all([
      own.length === 0 ? [] : this.#read(own, call),
      inFlight.wait(waiting, call.signal, this.http.upstream),
    ]);
    // What another request's read could not hand on (private, failed) is read here.
    const reread = unshared.length === 0 ? [] : await this.#read(unshared, call);
    return [...kept, ...read, ...shared, ...reread];
  }

  /** The two reads for one request: what its service client offers. */
  bind(scope: CallScope): BoundReader<T> {
    return {
      getOne: (id) => this.getOne(id, scope),
      getMany: (ids) => this.getMany(ids, scope),
    };
  }

  /**
   * One batch read of `ids` from the service: its records are kept as long as the answer
   * allows, and other requests may wait for it meanwhile.
   */
  #read(ids: readonly string[], call: CallScope): Promise<T[]> {
    const asked = new Set(ids);
    const path = `${this.collection}?${new URLSearchParams({ ids: ids.join(',') })}`;
    const read = this.http
      .sendWithHeaders(
        { method: 'GET', route: `GET ${this.collection}`, path, maxRecords: asked.size },
        this.batch,
        call,
      )
      .then((answer) => {
        const found = answer.data.data.filter((record) => asked.has(record.id));
        const ttlMs = this.#ttlMs(path, answer);
        this.#cache?.keep(found, ttlMs);
        this.#inFlight?.learn(ttlMs > 0);
        return { found, shareable: ttlMs > 0 };
      });
    this.#inFlight?.track(
      ids,
      read.then(
        ({ found, shareable }) =>
          shareable ? new Map(found.map((record) => [record.id, record])) : undefined,
        () => undefined,
      ),
    );
    return read.then(({ found }) => found);
  }

  /** How long a shared cache may keep this answer (0: not at all, nor share it). */
  #ttlMs(path: string, answer: Answer<unknown>): number {
    if (this.#cache === undefined) return 0;
    return sharedTtlMs({ path, status: answer.status, headers: answer.headers });
  }
}

/** What a scrape reads of a reader: which resource, and the records it served without a call. */
export type ReaderCounts = Pick<
  ResourceReader<{ id: string }>,
  'upstream' | 'collection' | 'cached' | 'joined'
>;

/** A resource's reads bound to one request's scope. */
export interface BoundReader<T> {
  getOne(id: string): Promise<T | null>;
  getMany(ids: readonly string[]): Promise<T[]>;
}

/** `?a=1&b=2` from the defined entries only. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) query.set(name, String(value));
  }
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
