import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createVerifier } from '../../shared/verify-token.js';
import { AccountsAPI, DeliveriesAPI, DronesAPI, PackagesAPI, PaymentsAPI } from './data-sources.js';
import { type PeerContext, resolvers } from './resolvers.js';

/**
 * The peer a team would pick instead of Skyway: Apollo Server 5 with its standalone HTTP
 * server, serving Skyway's printed schema with the resolvers in `resolvers.ts`, and data
 * sources made per request in the context function as Apollo's documentation shows
 * (`new MoviesAPI({ cache })`). Reads PORT, HOST and the UPSTREAM_* variables like Skyway.
 */

const upstream = (name: string, port: number) =>
  `${process.env[`UPSTREAM_${name.toUpperCase()}_URL`] || `http://127.0.0.1:${port}`}/`;
const urls = {
  accounts: upstream('accounts', 4101),
  deliveries: upstream('deliveries', 4102),
  packages: upstream('packages', 4103),
  drones: upstream('drones', 4104),
  payments: upstream('payments', 4105),
};
const verify = createVerifier(`${urls.accounts}.well-known/jwks.json`);

const server = new ApolloServer<PeerContext>({
  typeDefs: readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'),
  resolvers,
});

const host = process.env.HOST || '127.0.0.1';
const { url } = await startStandaloneServer(server, {
  listen: { host, port: Number(process.env.PORT ?? 4000) },
  context: async ({ req }) => {
    const caller = await verify(req.headers.authorization);
    const { cache } = server;
    const options = (baseURL: string) => ({ baseURL, cache, callerId: caller?.accountId ?? null });
    return {
      caller,
      dataSources: {
        accounts: new AccountsAPI(options(urls.accounts)),
        deliveries: new DeliveriesAPI(options(urls.deliveries)),
        packages: new PackagesAPI(options(urls.packages)),
        drones: new DronesAPI(options(urls.drones)),
        payments: new PaymentsAPI(options(urls.payments)),
      },
    };
  },
});
console.log(`Apollo peer listening on ${url}graphql`);

const stop = () => {
  server.stop().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
