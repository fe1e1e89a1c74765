import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  Kind,
  type OperationDefinitionNode,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectedRowFields } from '../../src/schema/row-selection.js';

/** What a resolver of the document's first top-level field is told of its selection. */
function infoOf(document: string): GraphQLResolveInfo {
  const parsed = parse(document);
  const operation = parsed.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of parsed.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const field = operation?.selectionSet.selections[0] as FieldNode;
  return { fieldNodes: [field], fragments } as unknown as GraphQLResolveInfo;
}

const fields = (document: string) => [...selectedRowFields(infoOf(document))].sort();

describe('selectedRowFields', () => {
  it('finds the row fields of every row, aliased or not', () => {
    expect(
      fields(
        `{ deliveries { edges { node { id status owner { name } mine: package { size } } } } }`,
      ),
    ).toEqual(['owner', 'package']);
  });

  it('looks through inline fragments and named fragments, at every level', () => {
    expect(
      fields(`
        { deliveries { ...Page } }
        fragment Page on DeliveryConnection { edges { ... on DeliveryEdge { node { ...Row } } } }
        fragment Row on Delivery { ... on Delivery { drone { id } } charge { status } }
      `),
    ).toEqual(['charge', 'drone']);
  });

  it('leaves out what a directive governs: deferred, included or skipped', () => {
    expect(
      fields(`query ($d: Boolean!) { deliveries { edges { node {
        package { size }
        ... @defer { drone { id } }
        owner @include(if: $d) { name }
        ...Charge @skip(if: $d)
      } } } }
      fragment Charge on Delivery { charge { status } }`),
    ).toEqual(['package']);
    expect(
      fields(`{ deliveries { edges @include(if: true) { node { package { size } } } } }`),
    ).toEqual([]);
  });

  it('finds nothing outside edges.node', () => {
    expect(fields(`{ deliveries { pageInfo { hasNextPage } } }`)).toEqual([]);
    expect(fields(`{ deliveries { edges { cursor } } }`)).toEqual([]);
  });
});
