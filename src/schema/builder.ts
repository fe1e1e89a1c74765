import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.js';
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
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
  },
});

builder.queryType({});
builder.mutationType({});
