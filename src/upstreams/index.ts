import type { Config } from '../config.js';
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
  close(): Promise<void>;
}

export function createUpstreams(config: Config): Upstreams {
  const options = {
    connections: config.upstreamConnections,
    maxBodyBytes: config.upstreamMaxBodyBytes,
  };
  const http = {
    accounts: new UpstreamHttpClient('accounts', config.upstreams.accounts, options),
    deliveries: new UpstreamHttpClient('deliveries', config.upstreams.deliveries, options),
    packages: new UpstreamHttpClient('packages', config.upstreams.packages, options),
    drones: new UpstreamHttpClient('drones', config.upstreams.drones, options),
    payments: new UpstreamHttpClient('payments', config.upstreams.payments, options),
  };
  return {
    accounts: new AccountsClient(http.accounts),
    deliveries: new DeliveriesClient(http.deliveries),
    packages: new PackagesClient(http.packages),
    drones: new DronesClient(http.drones),
    payments: new PaymentsClient(http.payments),
    async close() {
      await Promise.all(Object.values(http).map((client) => client.close()));
    },
  };
}

export type { CallContext } from './http-client.js';
