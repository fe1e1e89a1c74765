// The read routes every resource shares, written once: `GET <path>/{id}` for one record and
// `GET <path>` for a batch (`?ids=`) or, where the resource has one, a keyset-paginated list.
//
// Cursor semantics (the BFF relies on them, and the OpenAPI documents repeat them): `cursor` is
// the id of the last record already seen; the page starts right after it in list order;
// `nextCursor` is the id of the page's last record when more records follow, else null. Ids
// sort as strings, so an unknown cursor simply starts where that id would have been.

import { z } from 'zod';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { queryObject, splitIds } from '../http/query.js';
import type { Reply, Route } from '../http/router.js';
import { validate } from '../http/validate.js';
import { idSchema } from '../ids.js';
import { lowerBound, upperBound } from '../sorted.js';

export const MAX_BATCH_IDS = 100;
export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

/** Accounts list oldest first; deliveries and charges newest first (id descending). */
export type ListOrder = 'asc' | 'desc';

export interface ListDefinition<F extends z.ZodObject> {
  order: ListOrder;
  /** The filter parameters the list accepts, each optional. */
  filters: F;
  /** The ids matching the filters, ascending: an index, never a scan of every record. */
  ids(filters: z.output<F>): readonly string[];
}

export interface CollectionDefinition<T, F extends z.ZodObject> {
  /** e.g. `/v1/drones` */
  path: string;
  /** e.g. `drone`, for messages. */
  noun: string;
  /** Read on every request: a reset replaces the map. */
  records(): ReadonlyMap<string, T>;
  list?: ListDefinition<F>;
  /**
   * `Cache-Control` of the reads by id (one and batch), for as long as a client may keep
   * the records: a shared cache in front of the service, or the BFF's.
   */
  cacheControl?: string;
}

const pageQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.int().min(1).max(MAX_PAGE_LIMIT))
    .optional(),
  cursor: idSchema.optional(),
});

export function collectionRoutes<T, F extends z.ZodObject>(
  definition: CollectionDefinition<T, F>,
): Route[] {
  const { path, noun, records, list, cacheControl } = definition;
  const cached = (reply: Reply): Reply =>
    cacheControl === undefined ? reply : { ...reply, headers: { 'cache-control': cacheControl } };
  const listParams =
    list === undefined ? [] : ['limit', 'cursor', ...Object.keys(list.filters.shape)];

  const one: Route = {
    method: 'GET',
    path: `${path}/{id}`,
    handler: ({ params, query }) => {
      queryObject(query, []);
      const id = params.id ?? '';
      const record = records().get(id);
      if (record === undefined) throw notFound(`${noun} ${id} not found`);
      return cached({ status: 200, body: record });
    },
  };

  const many: Route = {
    method: 'GET',
    path,
    batch: true,
    handler: ({ query }) => {
      if (query.has('ids')) {
        if ([...query.keys()].some((name) => name !== 'ids')) {
          throw badRequest('ids cannot be combined with other query parameters');
        }
        return cached(batch(records(), queryObject(query, ['ids']).ids ?? ''));
      }
      if (list === undefined) throw badRequest(`ids is required: ${path} answers batches only`);
      const { limit, cursor, ...filterParams } = queryObject(query, listParams);
      const pageParams = validate(pageQuerySchema, { limit, cursor }, 'query');
      const filters = validate(list.filters, filterParams, 'query');
      const page = keysetPage(
        list.ids(filters),
        list.order,
        pageParams.cursor,
        pageParams.limit ?? DEFAULT_PAGE_LIMIT,
      );
      const map = records();
      const data = page.ids.map((id) => map.get(id));
      return { status: 200, body: { data, nextCursor: page.nextCursor } };
    },
  };

  return [one, many];
}

/** Found records in the order asked, each once; unknown ids are simply missing. */
function batch<T>(records: ReadonlyMap<string, T>, value: string): Reply {
  const ids = new Set(splitIds(value));
  if (ids.size === 0) throw badRequest('query.ids: must name at least one id');
  if (ids.size > MAX_BATCH_IDS) {
    throw new HttpError(
      400,
      'BATCH_TOO_LARGE',
      `query.ids: at most ${MAX_BATCH_IDS} distinct ids per batch, got ${ids.size}`,
    );
  }
  const data: T[] = [];
  for (const id of ids) {
    const record = records.get(id);
    if (record !== undefined) data.push(record);
  }
  return { status: 200, body: { data } };
}

/** One page of `ascendingIds` in `order`, starting right after `cursor`. O(log n + limit). */
export function keysetPage(
  ascendingIds: readonly string[],
  order: ListOrder,
  cursor: string | undefined,
  limit: number,
): { ids: string[]; nextCursor: string | null } {
  if (order === 'asc') {
    const start = cursor === undefined ? 0 : upperBound(ascendingIds, cursor);
    const ids = ascendingIds.slice(start, start + limit);
    const more = start + limit < ascendingIds.length;
    return { ids, nextCursor: more ? (ids.at(-1) ?? null) : null };
  }
  const end = cursor === undefined ? ascendingIds.length : lowerBound(ascendingIds, cursor);
  const start = Math.max(0, end - limit);
  const ids = ascendingIds.slice(start, end).reverse();
  return { ids, nextCursor: start > 0 ? (ids.at(-1) ?? null) : null };
}
