import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createGatewayRuntime,
  createRemoteJwksSigningKeyProvider,
  extractFromHeader,
  type GatewayPlugin,
  useJWT,
} from '@graphql-hive/gateway';
import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { DefaultLogger } from '@graphql-mesh/utils';
import { composeConfig } from './mesh.config.js';

/**
 * The peer a team would pick to put GraphQL over REST without writing resolvers: GraphQL Mesh
 * composes the five OpenAPI documents into a supergraph when the peer starts, and Hive Gateway
 * serves it on `node:http`, with its JWT plugin checking the caller's token against the
 * accounts service's JWKS (the same issuer, audience and key as Skyway's check). Reads PORT,
 * HOST and the UPSTREAM_* variables like Skyway.
 */

const supergraph = await getComposedSchemaFromConfig(composeConfig, new DefaultLogger('compose'));

const accounts = process.env.UPSTREAM_ACCOUNTS_URL || 'http://127.0.0.1:4101';
const gateway = createGatewayRuntime({
  supergraph,
  // The bench measures the gateway, not its logs: warnings and errors only.
  logging: 'warn',
  landingPage: false,
  graphiql: false,
  plugins: () => [
    // The cast: the JWT plugin's bundled typings declare a Logger class of their own, which
    // TypeScript will not match with the gateway's (the same class at run time).
    useJWT({
      signingKeyProviders: [
        createRemoteJwksSigningKeyProvider({ jwksUri: `${accounts}/.well-known/jwks.json` }),
      ],
      tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
      tokenVerification: {
        issuer: 'skyway-accounts',
        audience: 'skyway-bff',
        // Skyway's list less EdDSA, which the plugin's jsonwebtoken does not know.
        algorithms: ['ES256', 'ES384', 'RS256', 'PS256'],
      },
      // As Skyway: a request without a token is anonymous (`viewer` is null), a bad one refused.
      reject: { missingToken: false, invalidToken: true },
    }) as unknown as GatewayPlugin,
  ],
});

const server = createServer(gateway);
const host = process.env.HOST || '127.0.0.1';
server.listen(Number(process.env.PORT ?? 4000), host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Hive Gateway + Mesh peer listening on http://${host}:${port}/graphql`);
});

const stop = () => {
  server.close();
  Promise.resolve(gateway.dispose()).finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
