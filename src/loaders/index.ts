import type DataLoader from 'dataloader';
import type { DeliveryPageQuery } from '../upstreams/deliveries.js';
import type { BoundUpstreams } from '../upstreams/index.js';
import type {
  AccountRecord,
  ChargeRecord,
  DeliveryRecord,
  DroneRecord,
  PackageRecord,
  Page,
} from '../upstreams/records.js';
import { createByIdLoader } from './by-id.js';
import { createDeliveryPagesLoader } from './delivery-pages.js';
import { DeliveryRows } from './delivery-rows.js';

/** Every loader of one GraphQL request. Made per request: no cache ever crosses requests. */
export interface Loaders {
  accounts: DataLoader<string, AccountRecord | null>;
  deliveries: DataLoader<string, DeliveryRecord | null>;
  deliveryPages: DataLoader<DeliveryPageQuery, Page<DeliveryRecord>, string>;
  packages: DataLoader<string, PackageRecord | null>;
  drones: DataLoader<string, DroneRecord | null>;
  charges: DataLoader<string, ChargeRecord | null>;
  /** What the rows of a page point to, read in one step per page (`delivery-rows.ts`). */
  deliveryRows: DeliveryRows;
}

export interface LoaderOptions {
  /** Ids per batch call: the services' documented maximum. */
  maxBatchSize: number;
  /** False: one call per id (the benchmark's naive contender). */
  batching: boolean;
}

/** One request's loaders, over its bound service clients. */
export function createLoaders(
  upstreams: BoundUpstreams,
  { maxBatchSize, batching }: LoaderOptions,
): Loaders {
  // Upstream failures arrive as the contract's coded errors (UPSTREAM_*): nothing to wrap.
  const byId = <T extends { id: string }>(fetchMany: (ids: readonly string[]) => Promise<T[]>) =>
    createByIdLoader(fetchMany, maxBatchSize, batching);
  const reads = {
    accounts: (ids: readonly string[]) => upstreams.accounts.accounts.getMany(ids),
    packages: (ids: readonly string[]) => upstreams.packages.packages.getMany(ids),
    drones: (ids: readonly string[]) => upstreams.drones.drones.getMany(ids),
    charges: (ids: readonly string[]) => upstreams.payments.charges.getMany(ids),
  };
  const deliveries = byId((ids) => upstreams.deliveries.deliveries.getMany(ids));
  const rowLoaders = {
    accounts: byId(reads.accounts),
    packages: byId(reads.packages),
    drones: byId(reads.drones),
    charges: byId(reads.charges),
  };
  return {
    ...rowLoaders,
    deliveries,
    deliveryPages: createDeliveryPagesLoader(
      (query) => upstreams.deliveries.list(query),
      deliveries,
    ),
    deliveryRows: new DeliveryRows(rowLoaders, reads, maxBatchSize, batching),
  };
}
