import {
  type MockServices,
  type MockServicesOptions,
  SERVICE_NAMES,
  type ServiceName,
  startMockServices,
} from '../../mock-services/index.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server.js';

/**
 * The BFF as its users see it: the five mock services and the BFF, each on a real socket on a
 * free port. One harness per test file; `afterAll(harness.close)`.
 */

export interface GraphQLAnswer<TData = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: TData | null;
    errors?: Array<{
      message: string;
      path?: Array<string | number>;
      locations?: Array<{ line: number; column: number }>;
      extensions?: Record<string, unknown>;
    }>;
    extensions?: Record<string, unknown>;
  };
}

export interface Stats {
  total: number;
  routes: Record<string, number>;
  batches: Array<{ route: string; ids: string[] }>;
  recent: Array<{
    method: string;
    route: string;
    status: number;
    requestId: string | null;
    traceparent: string | null;
    idempotencyKey: string | null;
  }>;
}

export interface Harness {
  mocks: MockServices;
  server: RunningServer;
  config: Config;
  /** POSTs a GraphQL request to the BFF. */
  graphql<TData = Record<string, unknown>>(
    query: string,
    options?: {
      variables?: Record<string, unknown>;
      operationName?: string;
      token?: string;
      headers?: Record<string, string>;
    },
  ): Promise<GraphQLAnswer<TData>>;
  /** A development token from the accounts service. */
  token(accountId: string, role?: 'CUSTOMER' | 'DISPATCHER', ttlS?: number): Promise<string>;
  stats(service: ServiceName): Promise<Stats>;
  /** Requests per service since the last reset. */
  callCounts(): Promise<Record<ServiceName, number>>;
  /** Zeroes every service's stats and restores its seed data and chaos. */
  reset(): Promise<void>;
  chaos(service: ServiceName, chaos: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  options: ServerOptions = {},
  mockOptions: MockServicesOptions = {},
): Promise<Harness> {
  const mocks = await startMockServices(mockOptions);
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn', // request lines would drown the test report; test/observability reads them
    // Tests count upstream calls per query; packages, which the service lets a cache keep,
    // would be answered from the record cache on a second query. Its own tests turn it on.
    UPSTREAM_RECORD_CACHE_SIZE: '0',
    UPSTREAM_ACCOUNTS_URL: mocks.urls.accounts,
    UPSTREAM_DELIVERIES_URL: mocks.urls.deliveries,
    UPSTREAM_PACKAGES_URL: mocks.urls.packages,
    UPSTREAM_DRONES_URL: mocks.urls.drones,
    UPSTREAM_PAYMENTS_URL: mocks.urls.payments,
    ...env,
  });
  // Tests read a count right after causing it: each scrape renders anew unless a test says not.
  const server = await startServer(config, { metricsReuseMs: 0, ...options });

  const stats = async (service: ServiceName): Promise<Stats> => {
    const answer = await fetch(`${mocks.urls[service]}/__stats`);
    return (await answer.json()) as Stats;
  };

  return {
    mocks,
    server,
    config,
    async graphql<TData>(
      query: string,
      options: {
        variables?: Record<string, unknown>;
        operationName?: string;
        token?: string;
        headers?: Record<string, string>;
      } = {},
    ) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...options.headers,
      };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      const answer = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          query,
          variables: options.variables,
          operationName: options.operationName,
        }),
      });
      return {
        status: answer.status,
        headers: answer.headers,
        body: (await answer.json()) as GraphQLAnswer<TData>['body'],
      };
    },
    async token(accountId, role = 'CUSTOMER', ttlS) {
      const answer = await fetch(`${mocks.urls.accounts}/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId, role, ...(ttlS === undefined ? {} : { ttlS }) }),
      });
      if (answer.status !== 201) throw new Error(`token: ${answer.status} ${await answer.text()}`);
      return ((await answer.json()) as { token: string }).token;
    },
    stats,
    async callCounts() {
      const counts = await Promise.all(
        SERVICE_NAMES.map(async (name) => [name, (await stats(name)).total]),
      );
      return Object.fromEntries(counts) as Record<ServiceName, number>;
    },
    async reset() {
      await Promise.all(
        SERVICE_NAMES.map((name) => fetch(`${mocks.urls[name]}/__reset`, { method: 'POST' })),
      );
    },
    async chaos(service, chaos) {
      const answer = await fetch(`${mocks.urls[service]}/__chaos`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chaos),
      });
      if (!answer.ok) throw new Error(`chaos: ${answer.status} ${await answer.text()}`);
    },
    async close() {
      await server.close();
      await mocks.close();
    },
  };
}
