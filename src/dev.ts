/**
 * `npm start`: the five mock services and the BFF in one process, on the contract's default
 * ports, with development tokens printed so GraphiQL works at once. Not for production:
 * `npm run serve` runs the BFF alone.
 */
import { DEFAULT_PORTS, SERVICE_NAMES, startMockServices } from '../mock-services/index.js';
import { ConfigError, loadConfig, UPSTREAM_NAMES } from './config.js';
import { setupTracing } from './observability/tracing.js';
import { startServer, stopOnSignals } from './server.js';

async function issueToken(accountsUrl: string, accountId: string, role: string): Promise<string> {
  const answer = await fetch(`${accountsUrl}/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accountId, role, ttlS: 24 * 3600 }),
  });
  if (!answer.ok) throw new Error(`could not mint a development token: ${answer.status}`);
  return ((await answer.json()) as { token: string }).token;
}

async function main(): Promise<void> {
  const env = { NODE_ENV: 'development', ...process.env };
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  // The mocks listen where the BFF's configuration says the upstreams are.
  const ports = Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      Number(new URL(config.upstreams[name]).port) || DEFAULT_PORTS[name],
    ]),
  );
  const mocks = await startMockServices({ ports });
  for (const name of UPSTREAM_NAMES) config.upstreams[name] = mocks.urls[name];

  // A customer with many deliveries, and a dispatcher, for trying the API by hand.
  const customerId = [...mocks.data.accounts.keys()][0] ?? 'acc_0001';
  const customerToken = await issueToken(mocks.urls.accounts, customerId, 'CUSTOMER');
  const dispatcherToken = await issueToken(mocks.urls.accounts, customerId, 'DISPATCHER');

  const stopTracing = setupTracing(process.env);
  const server = await startServer(config, { devToken: customerToken });
  console.log(`
Skyway is up.
  GraphiQL:        ${server.url}/graphql   (open in a browser)
  Metrics:         ${server.metricsUrl}
  Mock services:   ${SERVICE_NAMES.map((name) => `${name} ${mocks.urls[name]}`).join(', ')}

Development tokens (valid 24 h), for the Authorization header:
  customer ${customerId}:   Bearer ${customerToken}
  dispatcher (${customerId} with role DISPATCHER): Bearer ${dispatcherToken}
`);
  stopOnSignals(async () => {
    await server.close();
    await mocks.close();
    await stopTracing();
  });
}

await main();
