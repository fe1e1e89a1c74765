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

/** Every loader of one GraphQL request. Made per request: no cache ever crosses requests. */
export interface Loaders {
  accounts: DataLoader<string, AccountRecord | null>;
  deliveries: DataLoader<string, DeliveryRecord | null>;
  deliveryPages: DataLoader<DeliveryPageQuery, Page<DeliveryRecord>, string>;
  packages: DataLoader<string, PackageRecord | null>;
  drones: DataLoader<string, DroneRecord | null>;
  charges: DataLoader<string, ChargeRecord | null>;
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
  const deliveries = byId((ids) => upstreams.deliveries.deliveries.getMany(ids));
  return {
    accounts: byId((ids) => upstreams.accounts.accounts.getMany(ids)),
    deliveries,
    deliveryPages: createDeliveryPagesLoader(
      (query) => upstreams.deliveries.list(query),
      deliveries,
    ),
    packages: byId((ids) => upstreams.packages.packages.getMany(ids)),
    drones: byId((ids) => upstreams.drones.drones.getMany(ids)),
    charges: byId((ids) => upstreams.payments.charges.getMany(ids)),
  };
}
