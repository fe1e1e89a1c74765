import type { ServiceName } from '../../mock-services/index.js';
import type { Harness } from './harness.js';

/**
 * What the services hold, read over their own HTTP APIs: tests compare the BFF's answers with
 * this, never with values typed by hand. Reading counts in the services' stats, so tests
 * read first and `reset()` before the request they count.
 */

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface UpstreamDelivery {
  id: string;
  ownerId: string;
  packageId: string;
  droneId: string | null;
  chargeId: string | null;
  status: string;
  eta: string | null;
  createdAt: string;
  pickup: { lat: number; lng: number };
  dropoff: { lat: number; lng: number };
}

export async function getJson<T>(harness: Harness, service: ServiceName, path: string): Promise<T> {
  const answer = await fetch(`${harness.mocks.urls[service]}${path}`);
  if (!answer.ok) throw new Error(`${service} ${path}: ${answer.status}`);
  return (await answer.json()) as T;
}

/** Every delivery matching the filter, walked page by page through the service's list route. */
export async function allDeliveries(
  harness: Harness,
  filter: { ownerId?: string; status?: string },
): Promise<UpstreamDelivery[]> {
  const all: UpstreamDelivery[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100', ...filter });
    if (cursor !== null) query.set('cursor', cursor);
    const page: Page<UpstreamDelivery> = await getJson(
      harness,
      'deliveries',
      `/v1/deliveries?${query}`,
    );
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all;
}

/** The records of `ids` from a service's batch route, by id. */
export async function byIds<T extends { id: string }>(
  harness: Harness,
  service: ServiceName,
  collection: string,
  ids: string[],
): Promise<Map<string, T>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, T>();
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100).join(',');
    const { data } = await getJson<{ data: T[] }>(harness, service, `${collection}?ids=${chunk}`);
    for (const record of data) found.set(record.id, record);
  }
  return found;
}

/** An account that owns more than `min` deliveries. */
export async function accountWithDeliveries(harness: Harness, min: number): Promise<string> {
  const { data } = await getJson<Page<{ id: string }>>(
    harness,
    'accounts',
    '/v1/accounts?limit=100',
  );
  for (const account of data) {
    const page = await getJson<Page<unknown>>(
      harness,
      'deliveries',
      `/v1/deliveries?ownerId=${account.id}&limit=${Math.min(min + 1, 100)}`,
    );
    if (page.data.length > min) return account.id;
  }
  throw new Error(`no account with more than ${min} deliveries in the first 100`);
}
