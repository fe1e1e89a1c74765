import type { Config, UpstreamName } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { AccountsClient } from './accounts.js';
import { DeliveriesClient } from './deliveries.js';
import { DronesClient } from './drones.js';
import { UpstreamHttpClient } from './http-client.js';
import { PackagesClient } from './packages.js';
import { PaymentsClient } from './payments.js';

/** The five upstream clients, made once per process: their pools are shared by all requests. */
export interface Upstreams {
  accounts: AccountsClient;
  deliveries: DeliveriesClient;
  packages: PackagesClient;
  drones: DronesClient;
  payments: PaymentsClient;
  /** The HTTP client of each upstream, with its policy (breaker state, counters). */
  http: Record<UpstreamName, UpstreamHttpClient>;
  close(): Promise<void>;
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
  return {
    accounts: new AccountsClient(http.accounts),
    deliveries: new DeliveriesClient(http.deliveries),
    packages: new PackagesClient(http.packages),
    drones: new DronesClient(http.drones),
    payments: new PaymentsClient(http.payments),
    http,
    async close() {
      await Promise.all(Object.values(http).map((client) => client.close()));
    },
  };
}

export type { CallContext } from './http-client.js';
