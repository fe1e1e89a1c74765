/**
 * `npm start`: the five mock services and the BFF in one process, on the ports of `PORT` and
 * `UPSTREAM_*_URL` (the contract's defaults when unset), the mocks' data from `MOCK_SEED`,
 * `MOCK_ACCOUNTS` and `MOCK_DRONES`, with development tokens printed so GraphiQL works at once.
 * The accounts service's signing key is kept in `.skyway-dev/` (git-ignored), so the tokens
 * stay valid across restarts for as long as they say. Not for production: `npm run serve` runs
 * the BFF alone.
 */
import { mockOptionsFromEnv, startFailureLine } from '../mock-services/env.js';
import { PortTakenError as MockPortTakenError } from '../mock-services/http/server.js';
import {
  type MockServices,
  type MockServicesOptions,
  SERVICE_NAMES,
  startMockServices,
  URL_ENV,
} from '../mock-services/index.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { setupTracing } from './observability/tracing.js';
import { bffListeners, isPortTaken, takenPortLines } from './port-taken.js';
import {
  startFailureLine as bffStartFailureLine,
  startServer,
  stopOnSignals,
  warnAboutUnknownVariables,
} from './server.js';

const TOKEN_TTL_S = 24 * 3600; // 24h, what the printout promises

async function issueToken(accountsUrl: string, accountId: string, role: string): Promise<string> {
  const answer = await fetch(`${accountsUrl}/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accountId, role, ttlS: TOKEN_TTL_S }),
  });
  if (!answer.ok) throw new Error(`could not mint a development token: ${answer.status}`);
  return ((await answer.json()) as { token: string }).token;
}

/** Prints the line a person can act on and exits 2, or rethrows what nobody can. */
function exitWith(line: string | undefined, error: unknown): never {
  if (line === undefined) throw error;
  console.error(line);
  process.exit(2);
}

/** Validates the BFF's configuration, with the mocks' real URLs when they are known. */
function configFrom(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    return exitWith(error instanceof ConfigError ? error.message : undefined, error);
  }
}

async function main(): Promise<void> {
  // Development unless said otherwise; an empty NODE_ENV counts as unset, as everywhere.
  const env = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' };
  // Checked before anything listens, so a bad value stops the start with nothing to clean up.
  const listeners = bffListeners(configFrom(env));
  warnAboutUnknownVariables(process.env);
  let mockOptions: MockServicesOptions;
  try {
    mockOptions = mockOptionsFromEnv(env);
  } catch (error) {
    return exitWith(startFailureLine(error), error);
  }
  // Every taken port at once: another `npm start` holds all seven, and a line per restart
  // would take seven restarts to get past.
  const taken: string[] = [];
  const mockHost = mockOptions.host ?? '127.0.0.1';
  for (const name of SERVICE_NAMES) {
    const port = mockOptions.ports?.[name] ?? 0;
    if (await isPortTaken(mockHost, port)) {
      const error = new MockPortTakenError(name, mockHost, port);
      taken.push(startFailureLine(error) ?? error.message);
    }
  }
  taken.push(...(await takenPortLines([listeners.graphql, listeners.metrics])));
  if (taken.length > 0) {
    console.error(taken.join('\n'));
    process.exit(2);
  }

  let mocks: MockServices;
  try {
    mocks = await startMockServices(mockOptions);
  } catch (error) {
    return exitWith(startFailureLine(error), error);
  }
  // The BFF talks to the mocks where they listen (port 0 in a URL picks a free one), and
  // verifies tokens against their JWKS there.
  const config = configFrom({
    ...env,
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [URL_ENV[name], mocks.urls[name]])),
  });

  // A customer and a dispatcher of their own, so the two tokens show two points of view.
  const accountIds = [...mocks.data.accounts.keys()];
  const customerId = accountIds[0] ?? 'acc_0001';
  const dispatcherId = accountIds[1] ?? customerId;
  const customerToken = await issueToken(mocks.urls.accounts, customerId, 'CUSTOMER');
  const dispatcherToken = await issueToken(mocks.urls.accounts, dispatcherId, 'DISPATCHER');

  const stopTracing = setupTracing(process.env);
  const server = await startServer(config, { devToken: customerToken }).catch(
    async (error: unknown) => {
      await mocks.close();
      return exitWith(bffStartFailureLine(error), error);
    },
  );
  // Handlers first: whoever reads the printout may send SIGTERM at once.
  stopOnSignals(async () => {
    await server.close();
    await mocks.close();
    await stopTracing();
  });
  console.log(`
Skyway is up.
  GraphiQL:        ${server.url}/graphql   (open in a browser)
  Metrics:         ${server.metricsUrl}
  Mock services:   ${SERVICE_NAMES.map((name) => `${name} ${mocks.urls[name]}`).join(', ')}

Development tokens (valid 24 h, also after a restart), for the Authorization header:
  customer ${customerId}:   Bearer ${customerToken}
  dispatcher ${dispatcherId}: Bearer ${dispatcherToken}
`);
}

await main();
