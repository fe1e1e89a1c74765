import { GraphQLError } from 'graphql';
import type { UpstreamName } from '../config.js';
import { ErrorCode } from '../errors.js';

/**
 * The ways an upstream call can fail, one small class each with a stable code, in the manner
 * of undici's `lib/core/errors.js`. Each is already the contract's coded error
 * (`extensions.code`, `upstream`, `reason`), made once, where the answer arrives: a loader, a
 * resolver or a saga lets it through, and the field it fails is null with it. They carry no
 * URL and no upstream body in what a client sees; `detail` and `status` are for logs only.
 */

/** Why an upstream is counted as unavailable: `extensions.reason` in the GraphQL error. */
export type UnavailableReason =
  | 'HTTP_5XX'
  | 'HTTP_4XX'
  | 'RATE_LIMITED'
  | 'CONNECTION'
  | 'BAD_RESPONSE'
  | 'CIRCUIT_OPEN'
  | 'BULKHEAD_FULL';

/** The upstream did not answer in time: its deadline or the request's budget ran out. */
export class UpstreamTimeoutError extends GraphQLError {
  override name = 'UpstreamTimeoutError';
  readonly code = ErrorCode.UPSTREAM_TIMEOUT;
  readonly reason = 'TIMEOUT';
  constructor(readonly upstream: UpstreamName) {
    super(`The ${upstream} service did not answer in time.`, {
      extensions: { code: ErrorCode.UPSTREAM_TIMEOUT, upstream, reason: 'TIMEOUT' },
    });
  }
}

/** The upstream failed, or the BFF refused to call it (breaker open, bulkhead full). */
export class UpstreamUnavailableError extends GraphQLError {
  override name = 'UpstreamUnavailableError';
  readonly code = ErrorCode.UPSTREAM_UNAVAILABLE;
  /** For logs only, never for clients: what exactly went wrong. */
  readonly detail?: string;
  /** The HTTP status the upstream answered, when it answered. */
  readonly status?: number;
  /** Seconds the upstream asked us to wait (`Retry-After`), when it said so. */
  readonly retryAfterS?: number;

  constructor(
    readonly upstream: UpstreamName,
    readonly reason: UnavailableReason,
    facts: { detail?: string; status?: number; retryAfterS?: number } = {},
  ) {
    super(`The ${upstream} service is unavailable (${reason}).`, {
      extensions: {
        code: ErrorCode.UPSTREAM_UNAVAILABLE,
        upstream,
        reason,
        ...(facts.retryAfterS === undefined ? {} : { retryAfterS: facts.retryAfterS }),
      },
    });
    this.detail = facts.detail;
    this.status = facts.status;
    this.retryAfterS = facts.retryAfterS;
  }
}

/**
 * The upstream understood the request and said no with a coded 4xx answer
 * (`upstreamCode`: `NOT_FOUND`, `INVALID_STATE`, `IDEMPOTENCY_KEY_REUSED`…). Domain code
 * decides what that means for the client (a saga's refusal, a null read); one that nobody
 * interprets reaches the client as UPSTREAM_UNAVAILABLE `HTTP_4XX`: the BFF asked wrongly.
 */
export class UpstreamRejectedError extends GraphQLError {
  override name = 'UpstreamRejectedError';
  readonly reason = 'HTTP_4XX';
  constructor(
    readonly upstream: UpstreamName,
    readonly status: number,
    readonly upstreamCode: string,
  ) {
    super(`The ${upstream} service refused the request.`, {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, upstream, reason: 'HTTP_4XX' },
    });
  }
}

export type UpstreamError = UpstreamTimeoutError | UpstreamUnavailableError | UpstreamRejectedError;

export function isUpstreamError(error: unknown): error is UpstreamError {
  return (
    error instanceof UpstreamTimeoutError ||
    error instanceof UpstreamUnavailableError ||
    error instanceof UpstreamRejectedError
  );
}

/** True for the rejection a service gives when the record asked for does not exist. */
export function isNotFound(error: unknown): error is UpstreamRejectedError {
  return error instanceof UpstreamRejectedError && error.status === 404;
}
