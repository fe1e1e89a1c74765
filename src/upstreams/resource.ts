import type { AnswerSchema } from './answer-schema.js';
import { isNotFound, UpstreamUnavailableError } from './errors.js';
import type { Answer, CallScope, UpstreamHttpClient } from './http-client.js';
import { RecordCache } from './record-cache.js';

/**
 * The two reads every service offers for each resource: one record by id, and many by
 * `?ids=` (the route DataLoader batches go to). Each client composes one per resource.
 * Records the service lets a shared cache keep are answered from a `RecordCache` while they
 * are fresh; a batch then asks only for the ids the cache lacks.
 *
 * Only what was asked for is kept or handed on: a record the service adds unasked (another id,
 * perhaps with made-up content) is dropped, and an answer with more records than ids asked is
 * a BAD_RESPONSE. Otherwise a broken or hostile service could plant a record in the shared
 * cache for other callers to read, or flush the cache with one huge answer.
 */
export class ResourceReader<T extends { id: string }> {
  readonly #cache: RecordCache<T> | undefined;

  constructor(
    private readonly http: UpstreamHttpClient,
    /** e.g. `/v1/drones` */
    private readonly collection: string,
    private readonly record: AnswerSchema<T>,
    /** `{ data: [records] }`: the answer of a batch get (`?ids=`). */
    private readonly batch: AnswerSchema<{ data: T[] }>,
  ) {
    this.#cache = http.recordCacheSize > 0 ? new RecordCache(http.recordCacheSize) : undefined;
  }

  /** One record, or null when the service answers 404. */
  async getOne(id: string, call: CallScope): Promise<T | null> {
    const kept = this.#cache?.get(id);
    if (kept !== undefined) return kept;
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
      this.#keep([answer.data], path, answer);
      return answer.data;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The records found for `ids`, in no promised order; unknown ids are simply absent. */
  async getMany(ids: readonly string[], call: CallScope): Promise<T[]> {
    const kept: T[] = [];
    let missing = ids;
    if (this.#cache !== undefined) {
      const cache = this.#cache;
      missing = ids.filter((id) => {
        const record = cache.get(id);
        if (record !== undefined) kept.push(record);
        return record === undefined;
      });
      if (missing.length === 0) return kept;
    }
    const asked = new Set(missing);
    const path = `${this.collection}?${new URLSearchParams({ ids: missing.join(',') })}`;
    const answer = await this.http.sendWithHeaders(
      { method: 'GET', route: `GET ${this.collection}`, path, maxRecords: asked.size },
      this.batch,
      call,
    );
    const found = answer.data.data.filter((record) => asked.has(record.id));
    this.#keep(found, path, answer);
    return kept.length === 0 ? found : [...kept, ...found];
  }

  /** The two reads for one request: what its service client offers. */
  bind(scope: CallScope): BoundReader<T> {
    return {
      getOne: (id) => this.getOne(id, scope),
      getMany: (ids) => this.getMany(ids, scope),
    };
  }

  #keep(records: readonly T[], path: string, answer: Answer<unknown>): void {
    this.#cache?.keep(records, { path, status: answer.status, headers: answer.headers });
  }
}

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
