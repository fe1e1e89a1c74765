// `npm run mocks`: the five services on their default ports, or on the ports of the same
// UPSTREAM_*_URL variables the BFF reads; the rest of the settings as env.ts reads them.
// Stops cleanly on SIGTERM and SIGINT.

import { mockOptionsFromEnv, startFailureLine } from './env.js';
import { SERVICE_NAMES, startMockServices } from './index.js';

async function main(): Promise<void> {
  const mocks = await startMockServices(mockOptionsFromEnv(process.env));
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
  const line = startFailureLine(error);
  if (line !== undefined) {
    console.error(line);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
