import { useGraphQlJit } from '@envelop/graphql-jit';
import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type Source,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { hasIncremental } from './use-defer-fallback.js';

/**
 * Runs each operation through a function compiled for its document (graphql-jit), instead of
 * the interpreting executor that walks the document and the schema anew for every request.
 * In the bench the interpreter was about a sixth of the BFF's CPU and much of its garbage:
 * per field it allocates paths, argument maps and promise chains that a compiled query knows
 * in advance. The compiled function is kept with Yoga's parsed document (a WeakMap), so it
 * goes when the parser's cache lets the document go.
 *
 * A document is compiled the second time it runs, not the first: compiling costs several
 * interpreted runs, the apps send the same few documents over and over, and a client sending
 * a new document with every request must not make the BFF compile each one.
 *
 * What is always interpreted:
 * - a document with more than one operation: graphql-jit keeps one compiled plan per document,
 *   for the operation it was first compiled for, whatever `operationName` later asks for
 *   (pricing, the rate limit and the no-mutation-over-GET rule look at the one asked for);
 * - operations with @defer or @stream: graphql-jit does not implement incremental delivery;
 * - a document with a field answered under the name `__proto__` (an alias): graphql-jit's
 *   result object puts it after the other fields, where the selection order puts it first;
 * - a run whose variables do not fit the operation: graphql-js refuses them with its own
 *   messages, locations and HTTP 400, which graphql-jit words differently (and names a nested
 *   field of an input object as if it were the variable).
 *
 * graphql-jit's errors carry `locations` but not the AST nodes they come from, and Yoga
 * rebuilds every error from its nodes (or source and positions) when it writes the answer,
 * which would drop them; so the positions are put back from the document's source.
 */

export function useCompiledExecution(): Plugin {
  /** Per document: its one operation when it may be compiled (else null); its runs. */
  const documents = new WeakMap<
    DocumentNode,
    { operation: OperationDefinitionNode | null; runs: number }
  >();
  const compiles = ({ schema, document, variableValues }: ExecutionArgs) => {
    let seen = documents.get(document);
    if (seen === undefined) {
      seen = { operation: compilableOperation(document), runs: 0 };
      documents.set(document, seen);
    }
    seen.runs += 1;
    if (seen.operation === null || seen.runs < 2) return false;
    const { errors } = getVariableValues(
      schema,
      seen.operation.variableDefinitions ?? [],
      variableValues ?? {},
      { maxErrors: 1 },
    );
    return errors === undefined;
  };
  const jit = useGraphQlJit(
    {},
    {
      enableIf: compiles,
      // Validation has passed by now, and graphql-jit compiles every valid document of this
      // schema; were one refused, its errors would be the answer, so say nothing more here.
      onError: () => {},
    },
  ) as Plugin;
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(jit);
    },
    onExecute({ args }) {
      const source = args.document.loc?.source;
      if (source === undefined) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.some(lacksPositions)) return;
          setResult({ ...result, errors: result.errors.map((e) => withPositions(e, source)) });
        },
      };
    },
  };
}

/** The document's operation, when it has exactly one and it uses no @defer or @stream. */
function compilableOperation(document: DocumentNode): OperationDefinitionNode | null {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const [only] = operations;
  return operations.length === 1 &&
    only !== undefined &&
    !hasIncremental(document) &&
    !answersUnderProto(document)
    ? only
    : null;
}

/** True when a field of the document is answered under the key `__proto__`. */
function answersUnderProto(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(field) {
      if ((field.alias ?? field.name).value === '__proto__') found = true;
    },
  });
  return found;
}

function lacksPositions(error: GraphQLError): boolean {
  return error.nodes === undefined && error.positions === undefined && !!error.locations?.length;
}

/** The error with `source` and `positions` for its `locations`, so they survive a rebuild. */
function withPositions(error: GraphQLError, source: Source): GraphQLError {
  if (!lacksPositions(error)) return error;
  const lines = lineStarts(source);
  return new GraphQLError(error.message, {
    source,
    positions: (error.locations ?? []).map(
      ({ line, column }) => (lines[line - 1] ?? 0) + column - 1,
    ),
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

const lineStartsBySource = new WeakMap<Source, number[]>();

/** The offset at which each line of a source begins. */
function lineStarts(source: Source): number[] {
  let starts = lineStartsBySource.get(source);
  if (starts === undefined) {
    starts = [0];
    for (const match of source.body.matchAll(/\r\n|[\n\r]/g)) {
      starts.push(match.index + match[0].length);
    }
    lineStartsBySource.set(source, starts);
  }
  return starts;
}
