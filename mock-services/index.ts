// The five mock upstream services, started together on one seeded store. This is what the
// BFF's tests and `npm start` import; main.ts is the command-line entry.

import { copySeedData, type DataPart, restorePart, type SeedData } from './data.js';
import type { Route } from './http/router.js';
import { type Exchange, type RunningService, startServiceServer } from './http/server.js';
import { byService, SERVICE_NAMES, type ServiceName } from './names.js';
import { openApiDocument } from './openapi.js';
import { generateSeed, type SeedOptions } from './seed.js';
import { accountsRoutes } from './services/accounts.js';
import { deliveriesRoutes } from './services/deliveries.js';
import { dronesRoutes } from './services/drones.js';
import { packagesRoutes } from './services/packages.js';
import { paymentsRoutes } from './services/payments.js';
import { createTokenIssuer } from './tokens.js';

export type { SeedData } from './data.js';
export { type Exchange, PortTakenError } from './http/server.js';
export { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName, URL_ENV } from './names.js';
export { controlsDocument, openApiDocument } from './openapi.js';
export type {
  Account,
  Charge,
  ChargeStatus,
  Delivery,
  DeliveryStatus,
  Drone,
  DroneStatus,
  Location,
  Package,
  PackageSize,
  TokenRole,
} from './records.js';
export {
  CHARGE_STATUSES,
  DELIVERY_STATUSES,
  DRONE_STATUSES,
  PACKAGE_SIZES,
  TOKEN_ROLES,
} from './records.js';
export { DEFAULT_SEED_OPTIONS, generateSeed, type SeedOptions } from './seed.js';
export { TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens.js';

/** The record type each service owns, and restores on reset. */
const DATA_PARTS: Record<ServiceName, DataPart> = {
  accounts: 'accounts',
  deliveries: 'deliveries',
  packages: 'packages',
  drones: 'drones',
  payments: 'charges',
};

export interface MockServicesOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** Port per service; 0 or absent picks a free one. */
  ports?: Partial<Record<ServiceName, number>>;
  seed?: SeedOptions;
  /** Where the accounts service keeps its signing key across restarts; absent, a new one each start. */
  keyFile?: string;
  /** Told of every request a service answered, with the answer: tests check them. */
  observe?: (service: ServiceName, exchange: Exchange) => void;
}

export interface MockServices {
  /** Base URL per service, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  urls: Record<ServiceName, string>;
  /** The live store, for tests to read what the services hold. */
  data: SeedData;
  /** Same as `POST /__reset` on every service. */
  reset(): void;
  /** Closes the servers, destroying hanging and keep-alive connections. */
  close(): Promise<void>;
}

export async function startMockServices(options: MockServicesOptions = {}): Promise<MockServices> {
  const host = options.host ?? '127.0.0.1';
  const pristine = generateSeed(options.seed);
  const data = copySeedData(pristine);
  const tokens = await createTokenIssuer({ keyFile: options.keyFile });
  const routes: Record<ServiceName, Route[]> = {
    accounts: accountsRoutes(data, tokens),
    deliveries: deliveriesRoutes(data),
    packages: packagesRoutes(data),
    drones: dronesRoutes(data),
    payments: paymentsRoutes(data),
  };

  const results = await Promise.allSettled(
    SERVICE_NAMES.map((name) =>
      startServiceServer(
        {
          name,
          routes: routes[name],
          openapi: openApiDocument(name),
          resetData: () => restorePart(pristine, data, DATA_PARTS[name]),
          observe: options.observe && ((exchange: Exchange) => options.observe?.(name, exchange)),
        },
        { host, port: options.ports?.[name] ?? 0 },
      ),
    ),
  );
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(running.map((service) => service.close()));
    throw failure.reason;
  }

  // allSettled keeps order: running[i] is SERVICE_NAMES[i].
  const urls = byService((name) => (running[SERVICE_NAMES.indexOf(name)] as RunningService).url);
  return {
    urls,
    data,
    reset: () => {
      for (const service of running) service.reset();
    },
    close: async () => {
      await Promise.all(running.map((service) => service.close()));
    },
  };
}
