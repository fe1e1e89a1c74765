import DataLoader from 'dataloader';

/**
 * A per-request loader of records by id over a service's batch route (`GET …?ids=a,b,c`).
 *
 * Everything asked for in one tick of the event loop becomes one upstream call (more when
 * there are more distinct ids than the service takes in one batch). The answer is put back in
 * the order of the keys through a Map, never a `find` per key, and an id the service did not
 * return resolves to null: a missing record is not an error for the whole batch. When the
 * call itself fails, every key of the batch rejects with that one error, so each affected
 * field gets it once.
 */
export function createByIdLoader<T extends { id: string }>(
  fetchMany: (ids: readonly string[]) => Promise<readonly T[]>,
  maxBatchSize: number,
  /** False sends each id in a call of its own: only to measure what batching saves. */
  batch = true,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (ids) => {
      const records = await fetchMany(ids);
      const byId = new Map<string, T>();
      for (const record of records) byId.set(record.id, record);
      return ids.map((id) => byId.get(id) ?? null);
    },
    { maxBatchSize, batch },
  );
}
