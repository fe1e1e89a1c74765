import { SERVICES, type Service, type Stats } from './mocks.js';
import type { BatchSizes, UpstreamCalls } from './results.js';

/**
 * Upstream calls from the services' own counters (`GET /__stats`): the difference between two
 * snapshots, per query and per service, and the sizes of the batch (`?ids=`) calls.
 */

export function callsBetween(before: Stats, after: Stats, queries: number): UpstreamCalls {
  const byService = {} as Record<Service, number>;
  const batchSizes: Partial<Record<Service, BatchSizes>> = {};
  let total = 0;
  for (const name of SERVICES) {
    const calls = after[name].total - before[name].total;
    total += calls;
    byService[name] = queries > 0 ? calls / queries : Number.NaN;
    // Batches are a ring of the latest 10,000: the new ones are the tail past the old length,
    // as long as the ring did not wrap (it is reset before every measured run).
    const fresh = after[name].batches.slice(before[name].batches.length);
    const sizes = summarise(fresh.map((batch) => batch.ids.length));
    if (sizes !== null) batchSizes[name] = sizes;
  }
  return {
    queries,
    perQuery: queries > 0 ? total / queries : Number.NaN,
    byService,
    batchSizes,
  };
}

/** An empty snapshot, for counting from a reset. */
export function zeroStats(): Stats {
  const zero = { total: 0, routes: {}, batches: [] };
  return Object.fromEntries(SERVICES.map((name) => [name, zero])) as unknown as Stats;
}

function summarise(sizes: number[]): BatchSizes | null {
  if (sizes.length === 0) return null;
  const sorted = [...sizes].sort((a, b) => a - b);
  return {
    calls: sorted.length,
    min: sorted[0] as number,
    median: sorted[Math.floor((sorted.length - 1) / 2)] as number,
    max: sorted.at(-1) as number,
    mean: sorted.reduce((sum, size) => sum + size, 0) / sorted.length,
  };
}
