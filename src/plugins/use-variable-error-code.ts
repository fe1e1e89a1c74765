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
        if (!('errors' in result) || !result.errors || result.data !== undefined) return;
        setResult({
          ...result,
          errors: result.errors.map((error) =>
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
