import type { z } from 'zod';
import { isNotFound } from './errors.js';
import type { CallContext, UpstreamHttpClient } from './http-client.js';
import { batchOf } from './records.js';

/**
 * The two reads every service offers for each resource: one record by id, and many by
 * `?ids=` (the route DataLoader batches go to). Each client composes one per resource.
 */
export class ResourceReader<T extends { id: string }> {
  readonly #batch: z.ZodType<{ data: T[] }>;

  constructor(
    private readonly http: UpstreamHttpClient,
    /** e.g. `/v1/drones` */
    private readonly collection: string,
    private readonly record: z.ZodType<T>,
  ) {
    this.#batch = batchOf(record) as unknown as z.ZodType<{ data: T[] }>;
  }

  /** One record, or null when the service answers 404. */
  async getOne(id: string, call: CallContext): Promise<T | null> {
    try {
      return await this.http.send(
        {
          method: 'GET',
          route: `GET ${this.collection}/{id}`,
          path: `${this.collection}/${encodeURIComponent(id)}`,
        },
        this.record,
        call,
      );
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The records found for `ids`, in no promised order; unknown ids are simply absent. */
  async getMany(ids: readonly string[], call: CallContext): Promise<T[]> {
    const query = new URLSearchParams({ ids: ids.join(',') });
    const answer = await this.http.send(
      { method: 'GET', route: `GET ${this.collection}`, path: `${this.collection}?${query}` },
      this.#batch,
      call,
    );
    return answer.data;
  }
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
