import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';

/**
 * The error vocabulary: the contract's codes and the helpers that raise them, below every
 * layer that raises one (schema, loaders, sagas, idempotency, plugins, upstream clients). An
 * expected error is a GraphQL error with `extensions.code`; upstream failures are coded where
 * their answer arrives (`upstreams/errors.ts`); anything else is masked by Yoga outside
 * development, so no stack, URL or upstream body leaks.
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
  /** A request the endpoint does not take as sent (method, content type, CSRF, body): Yoga's code. */
  BAD_REQUEST: 'BAD_REQUEST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The codes that say the server failed the request, not its client: an upstream that failed
 * or timed out, and an error nothing expected (masked; `INTERNAL_SERVER_ERROR` is Yoga's).
 * What the SLO counts as a failed request (`deploy/prometheus/skyway-rules.yaml`).
 */
const SERVER_FAULTS: ReadonlySet<string> = new Set([
  ErrorCode.UPSTREAM_UNAVAILABLE,
  ErrorCode.UPSTREAM_TIMEOUT,
  'INTERNAL_SERVER_ERROR',
]);

export const isServerFault = (code: string): boolean => SERVER_FAULTS.has(code);

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
/**
 * A store (idempotency records) could not be reached (`CONNECTION`), or had no room for the
 * request's record (`STORE_FULL`): nothing was run.
 */
export const storeUnavailable = (
  store: string,
  message: string,
  reason: 'CONNECTION' | 'STORE_FULL' = 'CONNECTION',
) => coded(ErrorCode.UPSTREAM_UNAVAILABLE, message, { upstream: store, reason });
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

/**
 * Yoga's `maskError`: coded errors pass (ours, and upstream failures, coded where they
 * arrive); the rest is masked outside development.
 */
export function maskError(error: unknown, message: string, isDev = false): Error {
  if (error instanceof GraphQLError && isUncodedRefusal(error)) {
    // In place, as below: Yoga logs at error level any error its mask replaced.
    (error.extensions as Record<string, unknown>).code = ErrorCode.BAD_REQUEST;
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

/**
 * A refusal of the request as sent (a 4xx in `extensions.http.status`) that no one coded:
 * Yoga's CSRF plugin answers 403 this way. Without a code a client cannot tell it from a
 * crash, and the telemetry would count it as INTERNAL_SERVER_ERROR, a server failure the SLO
 * rules page for; it is the client's, so BAD_REQUEST, the code Yoga gives its other refusals.
 */
function isUncodedRefusal(error: GraphQLError): boolean {
  if (error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
