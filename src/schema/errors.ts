import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import {
  isUpstreamError,
  type UpstreamError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
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
/** The token could not be checked because the issuer's keys could not be fetched. */
export const callerUnavailable = () =>
  coded(ErrorCode.UPSTREAM_UNAVAILABLE, 'The caller cannot be verified right now; retry shortly.', {
    upstream: 'accounts',
    reason: 'CONNECTION',
  });
export const forbidden = (message = 'The caller may not see or change this.') =>
  coded(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string) => coded(ErrorCode.NOT_FOUND, `${what} does not exist.`);
export const invalidState = (message: string) => coded(ErrorCode.INVALID_STATE, message);
export const idempotencyKeyReused = () =>
  coded(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotencyKey was already used with other input.');
export const idempotencyKeyInUse = () =>
  coded(
    ErrorCode.IDEMPOTENCY_KEY_IN_USE,
    'A request with this idempotencyKey is still being processed; retry later.',
  );
/** A shared store (idempotency records) could not be reached: nothing was run. */
export const storeUnavailable = (store: string, message: string) =>
  coded(ErrorCode.UPSTREAM_UNAVAILABLE, message, { upstream: store, reason: 'CONNECTION' });
export const badUserInput = (message: string) => coded(ErrorCode.BAD_USER_INPUT, message);

/** What a refused request exceeded: `extensions.reason`, with `extensions.limit`. */
export type LimitReason =
  | 'COST'
  | 'DEPTH'
  | 'ALIASES'
  | 'DIRECTIVES'
  | 'TOKENS'
  | 'NODES'
  | 'BODY_SIZE';

/**
 * Over a cost or shape limit, refused before anything runs. A request error in the sense of
 * GraphQL over HTTP: 400 for `application/graphql-response+json` clients (`spec`), 200 for
 * legacy `application/json` ones, unless `status` says otherwise (413 for a body).
 */
export const queryTooComplex = (
  message: string,
  details: { reason: LimitReason; limit: number; cost?: number },
  status = 400,
) =>
  coded(ErrorCode.QUERY_TOO_COMPLEX, message, {
    ...details,
    http: { status, spec: status === 400 },
  });

/** Over the caller's budget: HTTP 429 with `Retry-After` (whole seconds, rounded up). */
export const rateLimited = (retryAfterS: number) =>
  coded(
    ErrorCode.RATE_LIMITED,
    `Over this caller's query-cost budget; retry in ${retryAfterS} s.`,
    {
      retryAfterS,
      http: {
        status: 429,
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterS))) },
      },
    },
  );

/** What an upstream's coded 4xx answer to a write means to the client. */
export function fromRejection(error: UpstreamRejectedError, what: string): GraphQLError {
  switch (error.code) {
    case 'NOT_FOUND':
      return notFound(what);
    case 'INVALID_STATE':
      return invalidState(`${what} cannot be changed that way in its current state.`);
    case 'IDEMPOTENCY_KEY_REUSED':
      return idempotencyKeyReused();
    case 'IDEMPOTENCY_KEY_IN_USE':
      return idempotencyKeyInUse();
    default:
      return upstreamError(error);
  }
}

/**
 * The coded error an upstream failure becomes: `UPSTREAM_TIMEOUT` or `UPSTREAM_UNAVAILABLE`
 * with the upstream's name and the reason, and nothing else (no URL, status line or body).
 * Loaders throw it instead of the upstream error, so Yoga passes it through as an expected
 * error: one per affected path, not a logged stack trace each.
 */
export function upstreamError(error: UpstreamError): GraphQLError {
  if (error instanceof UpstreamRejectedError) {
    return coded(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `The ${error.upstream} service refused the request.`,
      {
        upstream: error.upstream,
        reason: 'HTTP_4XX',
      },
    );
  }
  const extra: Record<string, unknown> = { upstream: error.upstream, reason: error.reason };
  if (error instanceof UpstreamUnavailableError && error.retryAfterS !== undefined) {
    extra.retryAfterS = error.retryAfterS;
  }
  return coded(error.code, error.message, extra);
}

/** Passes coded errors through and turns upstream errors into theirs: for loaders' promises. */
export function codeUpstreamErrors<A, R>(fetch: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  return (arg) =>
    fetch(arg).catch((error: unknown) => {
      throw isUpstreamError(error) ? upstreamError(error) : error;
    });
}

/**
 * Yoga's `maskError`: upstream failures become their coded errors at the path where they
 * happened; errors already coded pass; the rest is masked (outside development).
 */
export function maskError(error: unknown, message: string, isDev = false): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (isUpstreamError(original)) {
    // An upstream error that no loader coded (a mutation's write): code it where it happened.
    const coded = upstreamError(original);
    return createGraphQLError(coded.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: coded.extensions,
    });
  }
  if (!isDev && error instanceof GraphQLError && error.extensions.originalError !== undefined) {
    // Yoga's request errors (invalid JSON) carry the parser's message, which quotes the
    // client's body back, in `extensions.originalError`. Dropped in place, not by a copy:
    // Yoga logs at error level any error its mask replaced, and the body would go there.
    // Yoga also reads that extension as "not a GraphQL error: 400 for every client"; `spec:
    // false` keeps the 400 for `application/json` clients without it.
    const extensions = error.extensions as Record<string, unknown>;
    delete extensions.originalError;
    if (error.extensions.http !== undefined) {
      extensions.http = { ...error.extensions.http, spec: false };
    }
    return error;
  }
  return yogaMaskError(error, message, isDev);
}
