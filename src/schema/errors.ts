import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import {
  isUpstreamError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  type UpstreamUnavailableError,
} from '../upstreams/errors.js';

/**
 * The contract's error codes and the helpers that raise them. Expected errors are GraphQL
 * errors with `extensions.code`; an upstream failure is turned into one here, in one place;
 * anything else is masked outside development so no stack, URL or upstream body leaks.
 */

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_STATE: 'INVALID_STATE',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_USE: 'IDEMPOTENCY_KEY_IN_USE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

function coded(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  return createGraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (tokenRejected = false) =>
  coded(
    ErrorCode.UNAUTHENTICATED,
    tokenRejected
      ? 'The bearer token is invalid or expired.'
      : 'This field needs a caller: send a bearer token.',
  );
export const forbidden = (message = 'The caller may not see or change this.') =>
  coded(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string) => coded(ErrorCode.NOT_FOUND, `${what} does not exist.`);
export const invalidState = (message: string) => coded(ErrorCode.INVALID_STATE, message);
export const badUserInput = (message: string) => coded(ErrorCode.BAD_USER_INPUT, message);

/** What an upstream's coded 4xx answer to a write means to the client. */
export function fromRejection(error: UpstreamRejectedError, what: string): GraphQLError {
  switch (error.code) {
    case 'NOT_FOUND':
      return notFound(what);
    case 'INVALID_STATE':
      return invalidState(`${what} cannot be changed that way in its current state.`);
    case 'IDEMPOTENCY_KEY_REUSED':
      return coded(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This idempotencyKey was already used with other input.',
      );
    case 'IDEMPOTENCY_KEY_IN_USE':
      return coded(
        ErrorCode.IDEMPOTENCY_KEY_IN_USE,
        'A request with this idempotencyKey is still being processed; retry later.',
      );
    default:
      return coded(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `The ${error.upstream} service refused the request.`,
        {
          upstream: error.upstream,
          reason: 'HTTP_4XX',
        },
      );
  }
}

function fromUpstreamFailure(error: UpstreamTimeoutError | UpstreamUnavailableError) {
  const extensions: Record<string, unknown> = {
    code: error.code,
    upstream: error.upstream,
    reason: error.reason,
  };
  if (!(error instanceof UpstreamTimeoutError) && error.retryAfterS !== undefined) {
    extensions.retryAfterS = error.retryAfterS;
  }
  return { message: error.message, extensions };
}

/**
 * Yoga's `maskError`: upstream failures become their coded errors at the path where they
 * happened; errors already coded pass; the rest is masked (outside development).
 */
export function maskError(error: unknown, message: string, isDev = false): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (isUpstreamError(original)) {
    const { message: publicMessage, extensions } =
      original instanceof UpstreamRejectedError
        ? {
            message: `The ${original.upstream} service refused the request.`,
            extensions: {
              code: ErrorCode.UPSTREAM_UNAVAILABLE,
              upstream: original.upstream,
              reason: 'HTTP_4XX',
            },
          }
        : fromUpstreamFailure(original);
    return createGraphQLError(publicMessage, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions,
    });
  }
  return yogaMaskError(error, message, isDev);
}
