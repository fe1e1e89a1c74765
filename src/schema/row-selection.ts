import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { RowField } from '../loaders/delivery-rows.js';

const ROW_FIELDS: ReadonlySet<string> = new Set<RowField>(['owner', 'package', 'drone', 'charge']);

/**
 * Which of a delivery row's fields from other services (`owner`, `package`, `drone`, `charge`)
 * an operation selects on every row of a connection (`edges { node { … } } }`): what the page
 * may read in one step as soon as it is in (`loaders/delivery-rows.ts`).
 *
 * Only plain selections count: a field reached through anything with a directive (`@defer`,
 * `@include`, `@skip`, on the field, a fragment or a level above it) is left out, so a
 * deferred field stays out of the first answer and a skipped one is never fetched; such a
 * field is still answered, through its loader. The answer depends on the document alone, so
 * it is worked out once per field node of a parsed document.
 */
export function selectedRowFields(info: GraphQLResolveInfo): ReadonlySet<RowField> {
  const [first] = info.fieldNodes;
  if (first === undefined) return NONE;
  let fields = known.get(first);
  if (fields === undefined) {
    const found = new Set<RowField>();
    for (const connection of info.fieldNodes) {
      for (const edges of plainFields(connection.selectionSet, 'edges', info.fragments)) {
        for (const node of plainFields(edges.selectionSet, 'node', info.fragments)) {
          for (const field of plainFields(node.selectionSet, undefined, info.fragments)) {
            if (ROW_FIELDS.has(field.name.value)) found.add(field.name.value as RowField);
          }
        }
      }
    }
    fields = found;
    known.set(first, fields);
  }
  return fields;
}

const NONE: ReadonlySet<RowField> = new Set();
const known = new WeakMap<FieldNode, ReadonlySet<RowField>>();

/**
 * The fields of a selection set (named `name`, or all), through fragments and fragment spreads,
 * leaving out whatever carries a directive. Type conditions are not checked: on these object
 * types every fragment of a valid document applies.
 */
function plainFields(
  selectionSet: SelectionSetNode | undefined,
  name: string | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string> = new Set(),
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.directives !== undefined && selection.directives.length > 0) continue;
    if (selection.kind === Kind.FIELD) {
      if (name === undefined || selection.name.value === name) fields.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fields.push(...plainFields(selection.selectionSet, name, fragments, seen));
    } else {
      const fragment = fragments[selection.name.value];
      // A fragment spread twice is walked once (and a cycle, invalid anyway, ends).
      if (fragment === undefined || seen.has(fragment.name.value)) continue;
      if (fragment.directives !== undefined && fragment.directives.length > 0) continue;
      seen.add(fragment.name.value);
      fields.push(...plainFields(fragment.selectionSet, name, fragments, seen));
    }
  }
  return fields;
}
