import {
  type DirectiveNode,
  type DocumentNode,
  type GraphQLDirective,
  getDirectiveValues,
  visit,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/**
 * Refuses an `@stream` whose `initialCount` is not a whole number of zero or more (`-1`,
 * `null`, or a variable holding either) with BAD_USER_INPUT, before anything runs. The
 * executor checks it only mid-execution, by an assertion: an anonymous client got
 * INTERNAL_SERVER_ERROR and the log a stack trace per request, for free (an operation that
 * errs costs no rate points). The directive's argument is a nullable `Int` (its definition is
 * the incremental-delivery RFC's), so no validation rule sees a value that only the variables
 * give; it is checked here, with the operation's variables, where each is known. Every
 * `@stream` of the document is checked, in an operation not run or under `if: false` too: a
 * bad value is bad input wherever it stands, and one walk per document is cached.
 */
export function useStreamArguments(): Plugin {
  /** The @stream nodes of each document, found once per cached document. */
  const streamsOf = new WeakMap<DocumentNode, DirectiveNode[]>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const directive = args.schema.getDirective('stream');
      if (directive === undefined || directive === null) return;
      let streams = streamsOf.get(args.document);
      if (streams === undefined) {
        streams = streamDirectives(args.document);
        streamsOf.set(args.document, streams);
      }
      if (streams.length === 0) return;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      if (streams.every((node) => hasValidInitialCount(directive, node, variables))) return;
      setResultAndStopExecution({
        errors: [
          createGraphQLError('@stream initialCount must be a whole number, 0 or more.', {
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
        ],
      });
    },
  };
}

function streamDirectives(document: DocumentNode): DirectiveNode[] {
  const found: DirectiveNode[] = [];
  visit(document, {
    Directive(node) {
      if (node.name.value === 'stream') found.push(node);
    },
  });
  return found;
}

function hasValidInitialCount(
  directive: GraphQLDirective,
  node: DirectiveNode,
  variables: Record<string, unknown>,
): boolean {
  let values: Record<string, unknown> | undefined;
  try {
    values = getDirectiveValues(directive, { directives: [node] }, variables);
  } catch {
    return false; // a value that does not coerce at all
  }
  const initialCount = values?.initialCount;
  return (
    initialCount === undefined ||
    (typeof initialCount === 'number' && Number.isInteger(initialCount) && initialCount >= 0)
  );
}
