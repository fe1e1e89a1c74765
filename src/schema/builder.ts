import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.js';
import { type CostArgs, type ListSizeArgs, Weight } from '../cost/directives.js';
import { decodeGlobalId, encodeGlobalId } from './global-id.js';

/**
 * The one SchemaBuilder. It defines no types: each type lives in its own file with its
 * fields, inputs and mutations, and `index.ts` imports them all.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: string; Output: string };
    ID: { Input: string; Output: string };
  };
  // The contract's connections: `edges: [DeliveryEdge!]!` with `node: Delivery!`.
  // Outputs are non-null unless a field says otherwise, as in the contract; the fields that
  // cross to another service say `nullable: true`, being error boundaries.
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  // The cost directives (src/cost/directives.ts): printed in schema.graphql, read by the limit.
  Directives: {
    cost: {
      locations:
        | 'FIELD_DEFINITION'
        | 'OBJECT'
        | 'ARGUMENT_DEFINITION'
        | 'INPUT_FIELD_DEFINITION'
        | 'SCALAR'
        | 'ENUM';
      args: CostArgs;
    };
    listSize: { locations: 'FIELD_DEFINITION'; args: ListSizeArgs };
  };
}>({
  plugins: [DirectivesPlugin, RelayPlugin],
  // Directives recorded in extensions the way graphql-tools' printer reads them.
  directives: { useGraphQLToolsUnorderedDirectives: true },
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    // Page info is computed from the page in hand: free.
    pageInfoTypeOptions: { directives: { cost: { weight: Weight.LOCAL } } },
    // node(id:) reads one record; nodes(ids:) one per id (the estimator counts a list argument).
    nodeQueryOptions: { directives: { cost: { weight: Weight.UPSTREAM_RECORD } } },
    nodesQueryOptions: {
      directives: {
        cost: { weight: Weight.UPSTREAM_RECORD },
        listSize: { slicingArguments: ['ids'], requireOneSlicingArgument: true },
      },
    },
  },
});

builder.queryType({});
builder.mutationType({});
