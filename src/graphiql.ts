import { readFileSync } from 'node:fs';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * What GraphiQL opens with: the mobile home screen's real operation, and a header editor that
 * shows where the token goes. Its assets are served from the package, not a CDN.
 */
const MY_DELIVERIES = readFileSync(
  new URL('../contract/operations/MyDeliveries.graphql', import.meta.url),
  'utf8',
);

export function graphiqlOptions(devToken?: string): GraphiQLOptions {
  return {
    title: 'Skyway',
    defaultQuery: `# Skyway: one GraphQL endpoint over the delivery services.
# Queries about "you" need a caller: set the Authorization header below
# (npm start prints a development token), then press Run.
${MY_DELIVERIES}`,
    headers: JSON.stringify(
      { Authorization: `Bearer ${devToken ?? '<token from npm start>'}` },
      null,
      2,
    ),
    shouldPersistHeaders: true,
  };
}
