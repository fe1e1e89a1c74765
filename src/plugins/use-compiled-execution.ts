import { useGraphQlJit } from '@envelop/graphql-jit';
import { type DocumentNode, GraphQLError, type Source } from 'graphql';
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
 * Operations with @defer or @stream are always interpreted: graphql-jit does not implement
 * incremental delivery.
 *
 * graphql-jit's errors carry `locations` but not the AST nodes they come from, and Yoga
 * rebuilds every error from its nodes (or source and positions) when it writes the answer,
 * which would drop them; so the positions are put back from the document's source.
 */

export function useCompiledExecution(): Plugin {
  /** Per document: whether it may be compiled (false: it has @defer or @stream); its runs. */
  const documents = new WeakMap<DocumentNode, { compilable: boolean; runs: number }>();
  const compiles = (document: DocumentNode) => {
    let seen = documents.get(document);
    if (seen === undefined) {
      seen = { compilable: !hasIncremental(document), runs: 0 };
      documents.set(document, seen);
    }
    seen.runs += 1;
    return seen.compilable && seen.runs > 1;
  };
  const jit = useGraphQlJit(
    {},
    {
      enableIf: ({ document }) => compiles(document),
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
