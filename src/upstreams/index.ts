import type { Config, UpstreamName } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { AccountsClient } from './accounts.js';
import { DeliveriesClient } from './deliveries.js';
import { DronesClient } from './drones.js';
import { type CallScope, UpstreamHttpClient } from './http-client.js';
import { PackagesClient } from './packages.js';
import { PaymentsClient } from './payments.js';
import {
  AccountBatch,
  AccountRecord,
  ChargeBatch,
  ChargeRecord,
  DeliveryBatch,
  DeliveryRecord,
  DroneBatch,
  DroneRecord,
  PackageBatch,
  PackageRecord,
} from './records.js';
import { type ReaderCounts, ResourceReader } from './resource.js';

/**
 * The five upstreams, made once per process: their pools, policies and record caches are
 * shared by all requests. `bind(scope)` gives one request its service clients, whose methods
 * carry that request's deadline, signal and headers without being passed them.
 */
export interface Upstreams {
  /** The HTTP client of each upstream, with its policy (breaker state, counters). */
  http: Record<UpstreamName, UpstreamHttpClient>;
  /** The reader of each resource, with its record cache and shared reads (their counters). */
  readers: Record<string, ReaderCounts>;
  bind(scope: CallScope): BoundUpstreams;
  close(): Promise<void>;
}

/** One request's service clients. */
export interface BoundUpstreams {
  accounts: AccountsClient;
  deliveries: DeliveriesClient;
  packages: PackagesClient;
  drones: DronesClient;
  payments: PaymentsClient;
}

/** `metrics` and `logger` are optional so a test can make clients without an observer. */
export function createUpstreams(config: Config, metrics?: Metrics, logger?: Logger): Upstreams {
  const client = (name: UpstreamName) =>
    new UpstreamHttpClient(name, config.upstreams[name], {
      connections: config.upstreamConnections,
      maxBodyBytes: config.upstreamMaxBodyBytes,
      resilience: config.resilience[name],
      metrics,
      logger,
      recordCacheSize: config.upstreamRecordCacheSize,
    });
  const http = {
    accounts: client('accounts'),
    deliveries: client('deliveries'),
    packages: client('packages'),
    drones: client('drones'),
    payments: client('payments'),
  };
  // One reader per resource, with its record cache, for the whole process.
  const readers = {
    accounts: new ResourceReader(http.accounts, '/v1/accounts', AccountRecord, AccountBatch),
    deliveries: new ResourceReader(
      http.deliveries,
      '/v1/deliveries',
      DeliveryRecord,
      DeliveryBatch,
    ),
    packages: new ResourceReader(http.packages, '/v1/packages', PackageRecord, PackageBatch),
    drones: new ResourceReader(http.drones, '/v1/drones', DroneRecord, DroneBatch),
    charges: new ResourceReader(http.payments, '/v1/charges', ChargeRecord, ChargeBatch),
  };
  return {
    http,
    readers,
    bind: (scope) => ({
      accounts: new AccountsClient(readers.accounts, scope),
      deliveries: new DeliveriesClient(http.deliveries, readers.deliveries, scope),
      packages: new PackagesClient(http.packages, readers.packages, scope),
      drones: new DronesClient(readers.drones, scope),
      payments: new PaymentsClient(http.payments, readers.charges, scope),
    }),
    async close() {
      await Promise.all(Object.values(http).map((client) => client.close()));
    },
  };
}

export type { CallScope } from './http-client.js';
