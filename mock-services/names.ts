// The five services, their default ports and the environment that overrides them: the same
// names and ports the BFF reads (see the contract's "Processes and ports").

export type ServiceName = 'accounts' | 'deliveries' | 'packages' | 'drones' | 'payments';

export const SERVICE_NAMES: readonly ServiceName[] = [
  'accounts',
  'deliveries',
  'packages',
  'drones',
  'payments',
];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  accounts: 4101,
  deliveries: 4102,
  packages: 4103,
  drones: 4104,
  payments: 4105,
};

/** The variable naming each service's URL, e.g. `UPSTREAM_ACCOUNTS_URL`. */
export const URL_ENV: Record<ServiceName, string> = {
  accounts: 'UPSTREAM_ACCOUNTS_URL',
  deliveries: 'UPSTREAM_DELIVERIES_URL',
  packages: 'UPSTREAM_PACKAGES_URL',
  drones: 'UPSTREAM_DRONES_URL',
  payments: 'UPSTREAM_PAYMENTS_URL',
};

/** A record with one value per service. */
export function byService<T>(make: (name: ServiceName) => T): Record<ServiceName, T> {
  return {
    accounts: make('accounts'),
    deliveries: make('deliveries'),
    packages: make('packages'),
    drones: make('drones'),
    payments: make('payments'),
  };
}
