// `npm run mocks`: the five services on their default ports, or on the ports of the same
// UPSTREAM_*_URL variables the BFF reads. Seed sizes from MOCK_SEED, MOCK_ACCOUNTS, MOCK_DRONES;
// the address from MOCK_HOST. Stops cleanly on SIGTERM and SIGINT.

import {
  DEFAULT_PORTS,
  SERVICE_NAMES,
  type ServiceName,
  startMockServices,
  URL_ENV,
} from './index.js';
import { byService } from './names.js';

function portFromEnv(name: ServiceName): number {
  const value = process.env[URL_ENV[name]];
  if (value === undefined || value === '') return DEFAULT_PORTS[name];
  const url = new URL(value);
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function integerFromEnv(variable: string): number | undefined {
  const value = process.env[variable];
  if (value === undefined || value === '') return undefined;
  if (!/^-?[0-9]+$/.test(value)) throw new Error(`${variable} must be an integer, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  const mocks = await startMockServices({
    host: process.env.MOCK_HOST || '127.0.0.1',
    ports: byService(portFromEnv),
    seed: {
      seed: integerFromEnv('MOCK_SEED'),
      accounts: integerFromEnv('MOCK_ACCOUNTS'),
      drones: integerFromEnv('MOCK_DRONES'),
    },
  });
  for (const name of SERVICE_NAMES) console.log(`${name.padEnd(10)} ${mocks.urls[name]}`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the mock services`);
    await mocks.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
