import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Takes graphql-js's "Did you mean …?" out of validation errors, so that with introspection
 * off a stranger cannot map the schema by guessing names and reading the suggestions.
 * (graphql-armor's block-field-suggestions does this too, but its pattern misses the enum
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
  };
}

const SUGGESTION = /\s*Did you mean .*\?$/s;

function withoutSuggestion(error: Error): Error {
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
