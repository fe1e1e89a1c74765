import type { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { queryTooComplex } from '../schema/errors.js';

/**
 * Yoga reads at most `maxRequestBodySize` bytes of a body (by Content-Length at once, or while
 * streaming a chunked one) and answers 413 with its own code. The contract calls a request
 * over a size limit QUERY_TOO_COMPLEX, so this re-codes that refusal, keeping the 413 and
 * adding `extensions.reason: BODY_SIZE` and `extensions.limit`. Pass Yoga the same number.
 */

/** 100 KiB: the apps' largest operation with its variables is under 2 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024;

export function useBodySizeCode(maxBytes: number = DEFAULT_MAX_BODY_BYTES): Plugin {
  const recode = (error: GraphQLError) =>
    error.extensions?.code === 'REQUEST_ENTITY_TOO_LARGE'
      ? queryTooComplex(
          `The request body is larger than ${maxBytes} bytes.`,
          { reason: 'BODY_SIZE', limit: maxBytes },
          413,
        )
      : error;
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || isAsyncIterable(result) || !result.errors) return;
      setResult({ ...result, errors: result.errors.map(recode) });
    },
  };
}
