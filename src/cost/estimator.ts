import {
  type ASTNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
} from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { badUserInput } from '../errors.js';
import { costDirective, listSizeDirective, Weight } from './directives.js';

/**
 * A graphql-query-complexity estimator that prices fields by the `@cost` and `@listSize`
 * directives the schema declares (see `directives.ts` for the rules), so the limit and every
 * client's tooling read one set of numbers. It reads them from the schema's AST nodes, where
 * Pothos's directives plugin puts them and where an SDL-built schema has them too.
 */

export interface CostEstimatorOptions {
  /**
   * The most items an integer slicing argument (`first`) may ask for; more is BAD_USER_INPUT,
   * before anything runs.
   * @default 100
   */
  maxListSize?: number;
  /**
   * Size of a list that no `@listSize` sizes, and of one whose slicing argument is absent and
   * that names no `assumedSize`.
   * @default 20
   */
  assumedListSize?: number;
}

export const DEFAULT_MAX_LIST_SIZE = 100;
export const DEFAULT_ASSUMED_LIST_SIZE = 20;

interface ListSize {
  assumedSize?: number;
  slicingArguments: string[];
  sizedFields: string[];
}

/** What the directives say about one field, worked out once per field. */
interface Pricing {
  weight: number;
  listSize: ListSize | undefined;
  isList: boolean;
  /** An `edges` inside a connection: its parent's slicing argument already multiplies it. */
  sizedByParent: boolean;
}

export function createCostEstimator(
  schema: GraphQLSchema,
  options: CostEstimatorOptions = {},
): ComplexityEstimator {
  const maxListSize = options.maxListSize ?? DEFAULT_MAX_LIST_SIZE;
  const assumedListSize = options.assumedListSize ?? DEFAULT_ASSUMED_LIST_SIZE;
  const sizedByParent = sizedFieldsOf(schema);
  const mutationType = schema.getMutationType();
  const pricings = new WeakMap<GraphQLField<unknown, unknown>, Pricing>();

  const pricingOf = (parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>) => {
    let pricing = pricings.get(field);
    if (!pricing) {
      const type = getNamedType(field.type);
      const weight =
        costOf(field.astNode) ??
        (parent === mutationType ? Weight.MUTATION : undefined) ??
        costOf(type.astNode) ??
        (isCompositeType(type) ? 1 : 0);
      pricing = {
        weight,
        listSize: listSizeOf(field.astNode),
        isList: isListType(getNullableType(field.type)),
        sizedByParent: sizedByParent.has(`${parent.name}.${field.name}`),
      };
      pricings.set(field, pricing);
    }
    return pricing;
  };

  /** How many items the list holds, from its slicing arguments; refuses a page too large. */
  const sizeOf = (listSize: ListSize, args: Record<string, unknown>): number => {
    const sizes: number[] = [];
    for (const name of listSize.slicingArguments) {
      const value = args[name];
      if (Array.isArray(value)) sizes.push(value.length);
      else if (typeof value === 'number') {
        // Checked here as well as in the resolver, so no upstream is asked before the refusal.
        if (!Number.isInteger(value) || value < 1 || value > maxListSize) {
          throw badUserInput(`\`${name}\` must be between 1 and ${maxListSize}; got ${value}.`);
        }
        sizes.push(value);
      }
    }
    return sizes.length > 0 ? Math.max(...sizes) : (listSize.assumedSize ?? assumedListSize);
  };

  return ({ type, field, args, childComplexity }) => {
    // Introspection reads the schema in memory: free, and bounded by the shape limits.
    if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
    const pricing = pricingOf(type, field);
    if (pricing.listSize && pricing.listSize.sizedFields.length > 0) {
      // A connection: the sized lists inside it (edges) hold `size` items each. Their siblings
      // (pageInfo) are multiplied too, which over-prices only what costs something there;
      // PageInfo costs nothing.
      return pricing.weight + sizeOf(pricing.listSize, args) * childComplexity;
    }
    if (pricing.isList) {
      const size = pricing.sizedByParent
        ? 1
        : pricing.listSize
          ? sizeOf(pricing.listSize, args)
          : assumedListSize;
      return size * (pricing.weight + childComplexity);
    }
    return pricing.weight + childComplexity;
  };
}

function costOf(node: ASTNode | null | undefined): number | undefined {
  if (!node || !('directives' in node)) return undefined;
  const values = getDirectiveValues(costDirective, node);
  return values === undefined ? undefined : (values.weight as number);
}

function listSizeOf(node: ASTNode | null | undefined): ListSize | undefined {
  if (!node || !('directives' in node)) return undefined;
  const values = getDirectiveValues(listSizeDirective, node);
  if (values === undefined) return undefined;
  return {
    assumedSize: (values.assumedSize as number | null | undefined) ?? undefined,
    slicingArguments: (values.slicingArguments as string[] | null | undefined) ?? [],
    sizedFields: (values.sizedFields as string[] | null | undefined) ?? [],
  };
}

/** `Type.field` of every list that a connection field's `@listSize(sizedFields:)` names. */
function sizedFieldsOf(schema: GraphQLSchema): Set<string> {
  const sized = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const listSize = listSizeOf(field.astNode);
      const target = getNamedType(field.type);
      for (const name of listSize?.sizedFields ?? []) sized.add(`${target.name}.${name}`);
    }
  }
  return sized;
}
