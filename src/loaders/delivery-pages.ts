import DataLoader from 'dataloader';
import type { DeliveryPageQuery } from '../upstreams/deliveries.js';
import type { DeliveryRecord, Page } from '../upstreams/records.js';

/**
 * A per-request loader of delivery list pages (`GET /v1/deliveries?ownerId=&status=…`).
 *
 * Lists have no batch route, so each distinct page is one call; the loader still earns its
 * place: the same page asked twice in one request (two aliases, a fragment used twice) is
 * fetched once, and every delivery a page brings is primed into the by-id loader, so a later
 * `node(id:)` for it costs nothing.
 */
export function createDeliveryPagesLoader(
  fetchPage: (query: DeliveryPageQuery) => Promise<Page<DeliveryRecord>>,
  deliveriesById: DataLoader<string, DeliveryRecord | null>,
): DataLoader<DeliveryPageQuery, Page<DeliveryRecord>, string> {
  return new DataLoader<DeliveryPageQuery, Page<DeliveryRecord>, string>(
    (queries) =>
      Promise.all(
        queries.map(async (query) => {
          try {
            const page = await fetchPage(query);
            for (const delivery of page.data) deliveriesById.prime(delivery.id, delivery);
            return page;
          } catch (error) {
            // One failed page must not fail the other pages of the same tick.
            return error instanceof Error ? error : new Error(String(error));
          }
        }),
      ),
    {
      cacheKeyFn: ({ ownerId, status, limit, after }) =>
        JSON.stringify([ownerId ?? null, status ?? null, limit, after ?? null]),
    },
  );
}
