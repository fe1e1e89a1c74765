import { GraphQLError, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { queryTooComplex } from '../errors.js';

/**
 * Stops parsing a document after `maxTokens` tokens (graphql-js's own parser option), so a
 * huge query costs a bounded amount of CPU and memory before it is refused with
 * QUERY_TOO_COMPLEX, `extensions.reason: TOKENS` and `extensions.limit`. Yoga caches parsed
 * documents by text, so a document that passed is not parsed again.
 */

export interface MaxTokensOptions {
  /**
   * Tokens (names, punctuation, values; not whitespace, commas or comments) one document may hold.
   * @default 2000
   */
  maxTokens?: number;
}

export const DEFAULT_MAX_TOKENS = 2000;

export function useMaxTokens(options: MaxTokensOptions = {}): Plugin {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  // graphql-js marks this refusal by its message alone ("Document contains more that N
  // tokens", spelled so in graphql 16; "than" allowed for when it is fixed).
  const tooMany = new RegExp(`Document contains more tha[nt] ${maxTokens} tokens`);
  return {
    onParse({ setParseFn }) {
      setParseFn((source, parseOptions) => {
        try {
          return parse(source, { ...parseOptions, maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && tooMany.test(error.message)) {
            throw queryTooComplex(`The document has more than ${maxTokens} tokens.`, {
              reason: 'TOKENS',
              limit: maxTokens,
            });
          }
          throw error;
        }
      });
    },
  };
}
