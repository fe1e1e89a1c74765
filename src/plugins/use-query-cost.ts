import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind } from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import {
  createGraphQLError,
  isAsyncIterable,
  type Plugin,
  type YogaInitialContext,
} from 'graphql-yoga';
import { type CostEstimatorOptions, createCostEstimator } from '../cost/estimator.js';
import { queryTooComplex } from '../errors.js';
import type { RequestScope } from '../request-scope.js';

/**
 * Prices each operation before it runs (graphql-query-complexity, with the schema's `@cost` and
 * `@listSize` as the estimator) and refuses one over the limit with QUERY_TOO_COMPLEX and
 * `extensions.cost` and `extensions.limit`, before any resolver, so before any upstream call.
 *
 * It prices after validation, not as a validation rule: a cost depends on the variables
 * (`first: $first`), and Yoga caches validation results per document, so a rule's refusal
 * would be served to the next request with the same document and smaller variables. The
 * refusal is thrown rather than set as the validation result for the same reason: a thrown
 * error is not cached.
 */

export interface QueryCostOptions extends CostEstimatorOptions {
  /**
   * The most points one operation may cost.
   * @default 1000
   */
  maxCost?: number;
  /**
   * Fields visited (fragments expanded) before an operation is refused as too large to price.
   * @default 10000
   */
  maxNodes?: number;
  /**
   * Report `extensions.cost: { estimated, limit }` in every executed response.
   * @default false
   */
  exposeCost?: boolean;
  /** The request's scope, where the price is kept for the rate limiter and the telemetry. */
  scopeOf: (request: Request) => RequestScope | undefined;
}

export const DEFAULT_MAX_COST = 1000;
export const DEFAULT_MAX_NODES = 10_000;

export function useQueryCost(options: QueryCostOptions): Plugin {
  const maxCost = options.maxCost ?? DEFAULT_MAX_COST;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const estimators = new WeakMap<GraphQLSchema, ComplexityEstimator>();
  const estimatorFor = (schema: GraphQLSchema) => {
    let estimator = estimators.get(schema);
    if (!estimator) {
      estimator = createCostEstimator(schema, options);
      estimators.set(schema, estimator);
    }
    return estimator;
  };

  const priced = new PricedOperations();

  return {
    onValidate({ context, params: { schema, documentAST } }) {
      return ({ valid }) => {
        if (!valid) return;
        const initial = context as Partial<YogaInitialContext>;
        const { variables, operationName } = initial.params ?? {};
        const scope = initial.request && options.scopeOf(initial.request);
        const known = priced.lookup(documentAST, operationName, variables);
        if (known.cost !== undefined) {
          if (scope) scope.cost = known.cost;
          return;
        }
        let cost: number;
        try {
          cost = getComplexity({
            schema,
            query: documentAST,
            variables: variables ?? {},
            operationName: operationName ?? undefined,
            estimators: [estimatorFor(schema)],
            maxQueryNodes: maxNodes,
          });
        } catch (error) {
          // Our own refusals (a page too large) pass, as request errors (400, nothing ran).
          if (error instanceof GraphQLError && error.extensions.code !== undefined) {
            throw createGraphQLError(error.message, {
              extensions: { ...error.extensions, http: { status: 400, spec: true } },
            });
          }
          if (error instanceof GraphQLError && error.message.includes('maximum allowed number')) {
            throw queryTooComplex(`The operation selects more than ${maxNodes} fields.`, {
              reason: 'NODES',
              limit: maxNodes,
            });
          }
          // Variables that do not fit the operation: execution refuses them (BAD_USER_INPUT)
          // before any resolver runs, so there is nothing to price.
          return;
        }
        if (cost > maxCost) {
          throw queryTooComplex(
            `The operation costs ${cost} points; the limit is ${maxCost}. Ask for fewer items or fields.`,
            { reason: 'COST', cost, limit: maxCost },
          );
        }
        known.remember(cost);
        if (scope) scope.cost = cost;
      };
    },
    onExecute({ args }) {
      const cost = (args.contextValue as { scope?: RequestScope }).scope?.cost;
      if (!options.exposeCost || cost === undefined) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          setResult({
            ...result,
            extensions: { ...result.extensions, cost: { estimated: cost, limit: maxCost } },
          });
        },
      };
    },
  };
}

/**
 * Costs already worked out, so an operation is priced once per document and per value of the
 * variables that can change its price, not once per request (pricing walks the whole document
 * with the schema's types: a few per cent of the BFF's CPU in the bench).
 *
 * A price depends on the document, the operation, and the variables that slicing arguments
 * (`first: $first`, `nodes(ids: $ids)`) and `@include`/`@skip` read: numbers, booleans, enums,
 * input objects and lists. A single ID or String (an id, a cursor, an idempotency key) never
 * changes it, and those are what differ with every request, so they are left out of the key.
 * Only prices that passed are kept: a refusal is worked out afresh each time, with its own
 * message.
 */
class PricedOperations {
  static readonly #PER_DOCUMENT = 64;
  readonly #byDocument = new WeakMap<
    DocumentNode,
    { keyed: string[]; costs: Map<string, number> }
  >();

  lookup(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
  ): { cost: number | undefined; remember(cost: number): void } {
    let entry = this.#byDocument.get(document);
    if (!entry) {
      entry = { keyed: variablesThatPrice(document), costs: new Map() };
      this.#byDocument.set(document, entry);
    }
    const { keyed, costs } = entry;
    // An omitted variable (its default applies) and one sent as null price differently, so
    // they must not share a key: a present value is wrapped, an absent one is 0.
    const key = JSON.stringify([
      operationName ?? null,
      ...keyed.map((name) =>
        variables !== null && variables !== undefined && Object.hasOwn(variables, name)
          ? [variables[name]]
          : 0,
      ),
    ]);
    return {
      cost: costs.get(key),
      remember(cost) {
        if (costs.size >= PricedOperations.#PER_DOCUMENT) costs.clear();
        costs.set(key, cost);
      },
    };
  }
}

/** Scalars whose single values never change a price; a list of them can (`nodes(ids:)`). */
const NEVER_PRICES = new Set(['ID', 'String']);

/** The names of a document's variables whose values can change its price. */
function variablesThatPrice(document: DocumentNode): string[] {
  const names: string[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = variable.type.kind === Kind.NON_NULL_TYPE ? variable.type.type : variable.type;
      const single = type.kind === Kind.NAMED_TYPE && NEVER_PRICES.has(type.name.value);
      if (!single) names.push(variable.variable.name.value);
    }
  }
  return names;
}
