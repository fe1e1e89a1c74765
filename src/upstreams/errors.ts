import type { UpstreamName } from '../config.js';

/**
 * The ways an upstream call can fail, one small class each with a stable code, in the manner
 * of undici's `lib/core/errors.js`. They carry no URL and no upstream body: whatever reaches a
 * client is built from `code`, `upstream` and `reason` alone.
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
export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
  readonly code = 'UPSTREAM_TIMEOUT';
  readonly reason = 'TIMEOUT';
  constructor(readonly upstream: UpstreamName) {
    super(`The ${upstream} service did not answer in time.`);
  }
}

/** The upstream failed, or the BFF refused to call it (breaker open, bulkhead full). */
export class UpstreamUnavailableError extends Error {
  override name = 'UpstreamUnavailableError';
  readonly code = 'UPSTREAM_UNAVAILABLE';
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
    super(`The ${upstream} service is unavailable (${reason}).`);
    this.detail = facts.detail;
    this.status = facts.status;
    this.retryAfterS = facts.retryAfterS;
  }
}

/**
 * The upstream understood the request and said no with a coded 4xx answer (`NOT_FOUND`,
 * `INVALID_STATE`, `IDEMPOTENCY_KEY_REUSED`…). Domain code decides what that means for the
 * client; it is not an outage.
 */
export class UpstreamRejectedError extends Error {
  override name = 'UpstreamRejectedError';
  constructor(
    readonly upstream: UpstreamName,
    readonly status: number,
    readonly code: string,
  ) {
    super(`The ${upstream} service refused the request: ${status} ${code}.`);
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
