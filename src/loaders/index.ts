import type DataLoader from 'dataloader';
import type { DeliveryPageQuery } from '../upstreams/deliveries.js';
import type { CallContext, Upstreams } from '../upstreams/index.js';
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
}

export function createLoaders(
  upstreams: Upstreams,
  call: CallContext,
  { maxBatchSize }: LoaderOptions,
): Loaders {
  const deliveries = createByIdLoader(
    (ids) => upstreams.deliveries.deliveries.getMany(ids, call),
    maxBatchSize,
  );
  return {
    accounts: createByIdLoader(
      (ids) => upstreams.accounts.accounts.getMany(ids, call),
      maxBatchSize,
    ),
    deliveries,
    deliveryPages: createDeliveryPagesLoader(
      (query) => upstreams.deliveries.list(query, call),
      deliveries,
    ),
    packages: createByIdLoader(
      (ids) => upstreams.packages.packages.getMany(ids, call),
      maxBatchSize,
    ),
    drones: createByIdLoader((ids) => upstreams.drones.drones.getMany(ids, call), maxBatchSize),
    charges: createByIdLoader((ids) => upstreams.payments.charges.getMany(ids, call), maxBatchSize),
  };
}
