import { pathToFileURL } from 'node:url';
import {
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  typeFromAST,
} from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import { createCostEstimator } from '../src/cost/estimator.js';
import type { PersistedDocuments } from '../src/plugins/persisted-documents-manifest.js';

/**
 * `npm run cost:check`: the query cost of every persisted operation, priced by the server's own
 * estimator (`src/cost/estimator.ts`, the schema's `@cost` and `@listSize`) against the
 * server's limit (`QUERY_MAX_COST`), so an app team learns at review time, not from a
 * production QUERY_TOO_COMPLEX. Prints a table; exits 1 when one is over the limit.
 *
 * A cost depends on the variables (`first: $first`), so each operation is priced twice:
 * - at its defaults: what it costs as written, its variables' defaults in force;
 * - at most: every integer variable (the page sizes) at the largest page the server allows
 *   and every list variable that long. This is the price the limit is checked against: any
 *   variables an app may send stay within it.
 * Variables that are required and have no default get a placeholder of their type; they do
 * not change a price, as only slicing arguments do.
 */

export interface OperationCost {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  hash: string;
  atDefaults: number;
  atMost: number;
}

export interface CostCheckOptions {
  /** The server's `QUERY_MAX_COST`. */
  maxCost: number;
  /** The largest page (`first`) the server allows, as the server's estimator is given it. */
  maxListSize: number;
}

/** Prices every document of a manifest, in its order. */
export function priceDocuments(
  schema: GraphQLSchema,
  documents: PersistedDocuments,
  options: CostCheckOptions,
): OperationCost[] {
  const estimator = createCostEstimator(schema, { maxListSize: options.maxListSize });
  const price = (query: DocumentNode, variables: Record<string, unknown>) =>
    getComplexity({ schema, query, variables, estimators: [estimator] });
  return [...documents].map(([hash, text]) => {
    const document = parse(text);
    const operation = getOperationAST(document);
    if (!operation) throw new Error(`${hash}: not exactly one operation`);
    return {
      name: operation.name?.value ?? '(anonymous)',
      kind: operation.operation,
      hash,
      atDefaults: price(
        document,
        pricingVariables(schema, document, 'defaults', options.maxListSize),
      ),
      atMost: price(document, pricingVariables(schema, document, 'most', options.maxListSize)),
    };
  });
}

/** The variables an operation is priced with (see the file comment). */
export function pricingVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  mode: 'defaults' | 'most',
  maxListSize: number,
): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of getOperationAST(document)?.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) throw new Error(`unknown type of $${definition.variable.name.value}`);
    const sizes = getNamedType(type).name === 'Int' || isListType(unwrapNonNull(type));
    if (mode === 'most' && sizes) {
      variables[definition.variable.name.value] = sample(type, maxListSize);
    } else if (isNonNullType(type) && !definition.defaultValue) {
      variables[definition.variable.name.value] = sample(type, 1);
    }
  }
  return variables;
}

const unwrapNonNull = (type: GraphQLInputType) => (isNonNullType(type) ? type.ofType : type);

/** A value of `type`: integers and lists of `size`, required input fields filled. */
function sample(type: GraphQLInputType, size: number): unknown {
  const inner = unwrapNonNull(type);
  if (isListType(inner)) return Array.from({ length: size }, () => sample(inner.ofType, size));
  if (isInputObjectType(inner)) {
    return Object.fromEntries(
      Object.values(inner.getFields())
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => [field.name, sample(field.type, size)]),
    );
  }
  if (isEnumType(inner)) return inner.getValues()[0]?.value;
  if (isScalarType(inner)) {
    if (inner.name === 'Int') return size;
    if (inner.name === 'Float') return 1;
    if (inner.name === 'Boolean') return false;
    if (inner.name === 'String' || inner.name === 'ID') return 'x';
    // A custom scalar: the first candidate it accepts.
    for (const candidate of ['1970-01-01T00:00:00Z', 'x', 0, false]) {
      try {
        inner.parseValue(candidate);
        return candidate;
      } catch {}
    }
  }
  throw new Error(`cannot make a sample value of ${String(type)}`);
}

/** The table a person reads: one row per operation, the worst first. */
export function formatCostTable(costs: OperationCost[], maxCost: number): string {
  const rows = [...costs]
    .sort((a, b) => b.atMost - a.atMost || a.name.localeCompare(b.name))
    .map((cost) => [
      cost.name,
      cost.kind,
      cost.hash.slice(0, 12),
      String(cost.atDefaults),
      String(cost.atMost),
      cost.atMost > maxCost ? `OVER (limit ${maxCost})` : 'ok',
    ]);
  const header = ['operation', 'kind', 'sha256', 'at defaults', 'at most', `limit ${maxCost}`];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        // Numbers right-aligned, as in any table of numbers.
        column === 3 || column === 4
          ? cell.padStart(widths[column] ?? 0)
          : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

async function main(): Promise<void> {
  const [{ loadConfig }, { schema }, { MAX_PAGE_SIZE }, { loadPersistedDocuments }] =
    await Promise.all([
      import('../src/config.js'),
      import('../src/schema/index.js'),
      import('../src/schema/delivery.js'),
      import('../src/plugins/persisted-documents-manifest.js'),
    ]);
  const config = loadConfig();
  const maxCost = config.guards.maxCost;
  const costs = priceDocuments(schema, loadPersistedDocuments(config.persistedDocuments.manifest), {
    maxCost,
    maxListSize: MAX_PAGE_SIZE,
  });
  console.log(formatCostTable(costs, maxCost));
  const over = costs.filter((cost) => cost.atMost > maxCost);
  if (over.length > 0) {
    console.error(
      `\ncost:check: ${over.map((cost) => cost.name).join(', ')} can cost more than QUERY_MAX_COST (${maxCost}): ask for a smaller page or fewer fields, or split it into two operations.`,
    );
    process.exit(1);
  }
  console.log(`\ncost:check: ${costs.length} persisted operations within ${maxCost} points`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
