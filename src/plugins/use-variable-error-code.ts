import { type DocumentNode, GraphQLError, Kind, type VariableDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Gives variable coercion errors (`$first` is "twenty") the contract's `BAD_USER_INPUT` code.
 *
 * graphql-js reports them as plain errors with no path, before any resolver runs, and marks
 * them no other way than by their message, which always starts with `Variable "$`. The
 * compiled executor (graphql-jit) words them the same but builds them without `extensions`
 * or `nodes`; the variable's definition is looked up so both point at it (Yoga rebuilds every
 * error from its nodes when it writes the answer, so `locations` alone would be lost).
 */
export function useVariableErrorCode(): Plugin {
  return {
    onExecute: ({ args }) => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!('errors' in result) || !result.errors || result.data !== undefined) return;
        setResult({
          ...result,
          errors: result.errors.map((error) =>
            error.path === undefined &&
            error.extensions?.code === undefined &&
            error.message.startsWith('Variable "$')
              ? new GraphQLError(error.message, {
                  nodes: error.nodes ?? definitionOf(args.document, error.message),
                  extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
                })
              : error,
          ),
        });
      },
    }),
  };
}

/** The definition of the variable a message starting `Variable "$name"` is about. */
function definitionOf(document: DocumentNode, message: string): VariableDefinitionNode[] {
  const name = /^Variable "\$(\w+)"/.exec(message)?.[1];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const variable = definition.variableDefinitions?.find((v) => v.variable.name.value === name);
    if (variable) return [variable];
  }
  return [];
}
