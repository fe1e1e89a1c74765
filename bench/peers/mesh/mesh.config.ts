import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';
import { readableDocument, SERVICES, type Service } from './openapi-documents.js';

/**
 * The composition, as GraphQL Mesh's documentation has a team write it: one `@omnigraph/openapi`
 * subgraph per service document, and the links between the services in `additionalTypeDefs`
 * with `@resolveTo`, batched through the services' `?ids=` routes by `keysArg` (the gateway
 * collects a level's keys with a DataLoader and makes one call per service).
 *
 * The peer's schema is Mesh's, not Skyway's: the services' ids, `limit`/`cursor` paging with
 * `{ data, nextCursor }`, and the loader's names. `viewer` is the verified token's subject.
 * `bench/peers/mesh/operations.ts` holds the bench's three operations in this schema.
 *
 * Composed when the peer starts (`server.ts`, about half a second); `npx mesh-compose -c
 * peers/mesh/mesh.config.ts` from `bench/` prints the same supergraph, for reading.
 */

const DEFAULT_PORTS: Record<Service, number> = {
  accounts: 4101,
  deliveries: 4102,
  packages: 4103,
  drones: 4104,
  payments: 4105,
};

const endpoint = (service: Service) =>
  process.env[`UPSTREAM_${service.toUpperCase()}_URL`] ||
  `http://127.0.0.1:${DEFAULT_PORTS[service]}`;

/** A link from a delivery to one record of another service, by the delivery's `keyField`. */
const link = (sourceName: Service, sourceFieldName: string, keyField: string) =>
  `@resolveTo(sourceName: "${sourceName}", sourceTypeName: "Query", sourceFieldName: "${sourceFieldName}", keyField: "${keyField}", keysArg: "ids", result: "data")`;

const additionalTypeDefs = /* GraphQL */ `
  extend type Delivery {
    owner: Account ${link('accounts', 'batchOrListAccounts', 'ownerId')}
    package: Package ${link('packages', 'batchPackages', 'packageId')}
    drone: Drone ${link('drones', 'batchDrones', 'droneId')}
    charge: Charge ${link('payments', 'batchOrListCharges', 'chargeId')}
  }

  extend type Account {
    deliveries(limit: Int = 20, cursor: String): DeliveryPage
      @resolveTo(
        sourceName: "deliveries"
        sourceTypeName: "Query"
        sourceFieldName: "batchOrListDeliveries"
        requiredSelectionSet: "{ id }"
        sourceArgs: { ownerId: "{root.id}", limit: "{args.limit}", cursor: "{args.cursor}" }
      )
  }

  extend type Query {
    viewer: Account
      @resolveTo(
        sourceName: "accounts"
        sourceTypeName: "Query"
        sourceFieldName: "getAccount"
        sourceArgs: { id: "{context.jwt.payload.sub}" }
      )
  }
`;

export const composeConfig = defineConfig({
  subgraphs: SERVICES.map((service) => ({
    sourceHandler: loadOpenAPISubgraph(service, {
      // The loader takes a parsed document too; its type says only a path or URL.
      source: readableDocument(service) as unknown as string,
      endpoint: endpoint(service),
      // Every service answers errors as `{ error: { code, message } }`; typed per operation,
      // they become five `Error` types that do not compose. Errors are GraphQL errors anyway.
      ignoreErrorResponses: true,
      // Forwarded as Skyway and the other contenders do: the verified caller's account.
      operationHeaders: { 'x-skyway-caller': '{context.jwt.payload.sub}' },
    }),
  })),
  additionalTypeDefs,
});
