import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Gives variable coercion errors (`$first` is "twenty") the contract's `BAD_USER_INPUT` code.
 *
 * graphql-js reports them as plain errors with no path, before any resolver runs, and marks
 * them no other way than by their message, which always starts with `Variable "$`.
 */
export function useVariableErrorCode(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        const errors = errorsAlone(result);
        if (errors === undefined) return;
        setResult({
          ...result,
          errors: errors.map((error) =>
            error.path === undefined &&
            error.extensions.code === undefined &&
            error.message.startsWith('Variable "$')
              ? new GraphQLError(error.message, {
                  nodes: error.nodes,
                  extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
                })
              : error,
          ),
        });
      },
    }),
  };
}

/**
 * The errors of an answer that is errors alone, nothing run (variables that do not coerce),
 * or undefined for any other answer.
 */
export function errorsAlone(result: object): readonly GraphQLError[] | undefined {
  if (!('errors' in result) || ('data' in result && result.data !== undefined)) return undefined;
  return Array.isArray(result.errors) ? (result.errors as GraphQLError[]) : undefined;
}
