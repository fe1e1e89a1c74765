import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { errorsAlone } from './use-variable-error-code.js';

/**
 * Takes graphql-js's "Did you mean …?" out of validation errors and out of the variables'
 * coercion errors (an enum value or an input field misspelled in `variables`, which graphql-js
 * reports at execution, not validation), so that with introspection off a stranger cannot map
 * the schema by guessing names and reading the suggestions. (graphql-armor's
 * block-field-suggestions does this for validation only, and its pattern misses the enum
 * suggestions, "Did you mean the enum value …?".)
 */
export function useHiddenSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (valid) return;
        setResult(result.map(withoutSuggestion));
      };
    },
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        const errors = errorsAlone(result); // variables that do not coerce
        if (errors === undefined) return;
        setResult({ ...result, errors: errors.map(withoutSuggestion) });
      },
    }),
  };
}

const SUGGESTION = /\s*Did you mean .*\?$/s;

function withoutSuggestion<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError) || !SUGGESTION.test(error.message)) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}
