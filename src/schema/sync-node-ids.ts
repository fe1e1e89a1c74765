import { type GraphQLSchema, isInterfaceType } from 'graphql';
import { encodeGlobalId } from './global-id.js';

/**
 * Gives every node type's `id` a plain, synchronous resolver.
 *
 * Pothos's relay plugin resolves `id` through an async function: a promise per id, and one
 * more trip through the executor's promise handling to settle it. A dispatch board has 200
 * ids, each of them a property read and a base64 encoding. Every node type here keeps its
 * service's id in `id` (each `builder.node` says `id: { resolve: (record) => record.id }`),
 * so the same value is computed at once. The global IDs themselves do not change.
 */
export function resolveNodeIdsSynchronously(schema: GraphQLSchema): GraphQLSchema {
  const node = schema.getType('Node');
  if (!isInterfaceType(node)) return schema;
  for (const type of schema.getImplementations(node).objects) {
    const field = type.getFields().id;
    if (field === undefined) continue;
    const typename = type.name;
    field.resolve = (parent: { id: string }) => encodeGlobalId(typename, parent.id);
  }
  return schema;
}
