import DataLoader from 'dataloader';

/** What a batch read found for each id asked: the record, null when absent, or the call's error. */
export type FoundById<T> = Map<string, T | null | Error>;

/**
 * Reads `ids` over a service's batch route, at most `maxBatchSize` distinct ids per call, the
 * calls at once. Every id asked gets an entry: its record, put back through a Map (never a
 * `find` per key), null when the service did not return it (a missing record is not an error
 * for the whole batch), or, when its call failed, that call's one error, so each affected
 * field gets it once. Never rejects.
 */
export async function fetchByIds<T extends { id: string }>(
  fetchMany: (ids: readonly string[]) => Promise<readonly T[]>,
  ids: readonly string[],
  maxBatchSize: number,
): Promise<FoundById<T>> {
  const distinct = [...new Set(ids)];
  const found: FoundById<T> = new Map();
  const calls: Promise<void>[] = [];
  for (let start = 0; start < distinct.length; start += maxBatchSize) {
    const chunk = distinct.slice(start, start + maxBatchSize);
    calls.push(
      fetchMany(chunk).then(
        (records) => {
          for (const id of chunk) found.set(id, null);
          for (const record of records) found.set(record.id, record);
        },
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const id of chunk) found.set(id, failure);
        },
      ),
    );
  }
  await Promise.all(calls);
  return found;
}

/**
 * A per-request loader of records by id over a service's batch route (`GET …?ids=a,b,c`).
 *
 * Everything asked for in one tick of the event loop becomes one upstream call (more when
 * there are more distinct ids than the service takes in one batch), read by `fetchByIds`: an
 * id the service did not return resolves to null, and when the call itself fails, every key
 * of the batch rejects with that one error.
 */
export function createByIdLoader<T extends { id: string }>(
  fetchMany: (ids: readonly string[]) => Promise<readonly T[]>,
  maxBatchSize: number,
  /** False sends each id in a call of its own: only to measure what batching saves. */
  batch = true,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (ids) => {
      // DataLoader has cut the batch at maxBatchSize already: one call, whose failure is
      // thrown (not returned per key) so that DataLoader forgets the keys and a later load
      // of the same id in this request asks again.
      const found = await fetchByIds(fetchMany, ids, ids.length);
      const failure = found.get(ids[0] as string);
      if (failure instanceof Error) throw failure;
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize, batch },
  );
}
