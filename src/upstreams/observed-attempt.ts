import type { Context } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { UpstreamName } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { startUpstreamSpan, traceparentFor } from '../observability/tracing.js';
import { UpstreamRejectedError, UpstreamTimeoutError, UpstreamUnavailableError } from './errors.js';
import type { UpstreamRequest } from './outgoing.js';

/** Where attempts are told: none in unit tests. */
export interface AttemptObservers {
  metrics?: Metrics;
  logger?: Logger;
}

export interface AttemptFacts {
  upstream: UpstreamName;
  request: UpstreamRequest;
  attemptNo: number;
  breakerState: string;
  requestId: string;
  /** The operation's trace: the attempt's span is its child. */
  trace: Context | undefined;
  /** The request's own traceparent, forwarded when tracing records nothing. */
  traceparent: string | undefined;
}

/**
 * Runs one attempt inside its span, counted and timed: the outcome (`ok`, a failure reason, or
 * a refusal's `HTTP_<status>`) labels the attempt in metrics and on the span; a failure that is
 * not a refusal is logged with the detail clients never see. `run` gets the traceparent to send.
 */
export async function observedAttempt<T>(
  observers: AttemptObservers,
  facts: AttemptFacts,
  run: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  const { upstream, request, attemptNo } = facts;
  const span = startUpstreamSpan(request.route, facts.trace, {
    'skyway.upstream': upstream,
    'http.route': request.route,
    'http.request.method': request.method,
    'http.request.resend_count': attemptNo,
    'skyway.breaker_state': facts.breakerState,
  });
  const started = performance.now();
  let outcome = 'ok';
  try {
    return await run(traceparentFor(span, facts.traceparent));
  } catch (error) {
    outcome =
      error instanceof UpstreamRejectedError ? `HTTP_${error.status}` : failureReason(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    if (!(error instanceof UpstreamRejectedError)) {
      observers.logger?.warn(
        {
          requestId: facts.requestId,
          upstream,
          route: request.route,
          attempt: attemptNo,
          reason: outcome,
          status: error instanceof UpstreamUnavailableError ? error.status : undefined,
          detail: error instanceof UpstreamUnavailableError ? error.detail : undefined,
        },
        'upstream attempt failed',
      );
    }
    throw error;
  } finally {
    span.setAttribute('skyway.outcome', outcome);
    span.end();
    observers.metrics?.upstreamCalls.inc({ upstream, route: request.route, outcome });
    observers.metrics?.upstreamDuration.observe(
      { upstream, route: request.route },
      (performance.now() - started) / 1000,
    );
  }
}

function failureReason(error: unknown): string {
  if (error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError)
    return error.reason;
  return 'ERROR';
}
