import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
} from 'graphql';

/**
 * The cost directives of the IBM GraphQL Cost Directive specification, in the form that Apollo's
 * demand control, Hive, Cosmo and Grafbase read (`weight: Int!`; the IBM draft types it as a
 * String). They are printed in `schema.graphql`, so a client's tooling prices an operation with
 * the same numbers as our limit, which reads them from the same place (`estimator.ts`).
 *
 * How a field is priced (the spec's static analysis):
 * - its weight: `@cost` on the field, else `@cost` on its type, else 1 for an object, interface
 *   or union and 0 for a scalar or enum; a root mutation field weighs 10 (Apollo's default);
 * - a list field costs its size times (weight + what is selected inside), the size coming from
 *   `@listSize`: the slicing argument's value (`first`), else `assumedSize`;
 * - `sizedFields` name the lists inside a connection that the slicing argument sizes (`edges`).
 */

export const costDirective = new GraphQLDirective({
  name: 'cost',
  description: 'What one instance of this field, argument or type costs, in query-cost points.',
  locations: [
    DirectiveLocation.ARGUMENT_DEFINITION,
    DirectiveLocation.ENUM,
    DirectiveLocation.FIELD_DEFINITION,
    DirectiveLocation.INPUT_FIELD_DEFINITION,
    DirectiveLocation.OBJECT,
    DirectiveLocation.SCALAR,
  ],
  args: { weight: { type: new GraphQLNonNull(GraphQLInt) } },
});

export const listSizeDirective = new GraphQLDirective({
  name: 'listSize',
  description: 'How many items this list field, or the lists it names, can hold.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    assumedSize: { type: GraphQLInt },
    slicingArguments: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    sizedFields: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    requireOneSlicingArgument: { type: GraphQLBoolean, defaultValue: true },
  },
});

export const COST_DIRECTIVES = [costDirective, listSizeDirective] as const;

/** The directives' arguments, for Pothos's `Directives` schema type. */
export type CostArgs = { weight: number };
export type ListSizeArgs = {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
  requireOneSlicingArgument?: boolean;
};

/**
 * Weights the schema's type files declare. A point is roughly one record an upstream is asked
 * for: what is computed from records already in hand (a location, page info, an edge) is free,
 * and a field that makes an upstream read costs one per record it reads.
 */
export const Weight = {
  /** Computed from data in hand; no upstream is asked. */
  LOCAL: 0,
  /** One record read from an upstream (batched per request, but each id is work upstream). */
  UPSTREAM_RECORD: 1,
  /** One list call to an upstream; the records it brings are priced as the list's items. */
  UPSTREAM_LIST: 1,
  /** A root mutation field: writes at one or more upstreams (Apollo's default for mutations). */
  MUTATION: 10,
} as const;
