import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLSchema, lexicographicSortSchema } from 'graphql';

/**
 * The schema as committed in `schema.graphql`: sorted, so diffs show real changes only, and
 * with the directives applied to types and fields (`@cost`, `@listSize`), which graphql-js's
 * own `printSchema` leaves out, so that clients' tools can read the costs.
 */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
}
