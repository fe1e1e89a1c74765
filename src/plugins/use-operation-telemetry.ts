import {
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import { type ExecutionResult, type GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { type Metrics, safeLabel } from '../observability/metrics.js';
import { clientNameOf, requestIdOf } from '../observability/request-id.js';
import { tracer } from '../observability/tracing.js';
import { queryCostOf } from './use-query-cost.js';

/**
 * Observes each request once: a span for the operation (parent of every upstream call's span),
 * the RED metrics, and one structured log line with operation, duration, cost, error codes and
 * request id. The request id is echoed in `x-request-id`.
 */

interface Observation {
  started: number;
  operation: string;
  type: string;
  span?: Span;
  codes: string[];
  /** The operation's context: its cost is read from it once priced. */
  context?: object;
}

export interface OperationTelemetryOptions {
  logger: Logger;
  metrics: Metrics;
}

export function useOperationTelemetry({
  logger,
  metrics,
}: OperationTelemetryOptions): Plugin<Context> {
  const observations = new WeakMap<Request, Observation>();

  return {
    onRequest({ request }) {
      observations.set(request, {
        started: performance.now(),
        operation: 'unknown',
        type: 'unknown',
        codes: [],
      });
    },
    onExecute({ args }) {
      const ctx = args.contextValue as Context & { request: Request };
      const observation = observations.get(ctx.request);
      if (!observation) return;
      observation.context = ctx;
      const operation = getOperationAST(args.document, args.operationName);
      observation.operation = safeLabel(operation?.name?.value ?? args.operationName, 'anonymous');
      observation.type = operation?.operation ?? 'unknown';
      // The client's trace continues here when it sent a traceparent.
      const parent = propagation.extract(ROOT_CONTEXT, ctx.request.headers, headerGetter);
      observation.span = tracer.startSpan(
        `graphql ${observation.type} ${observation.operation}`,
        {
          attributes: {
            'graphql.operation.name': observation.operation,
            'graphql.operation.type': observation.type,
            'skyway.request_id': ctx.requestId,
          },
        },
        parent,
      );
      // Upstream calls made for this operation become children of its span.
      ctx.call.trace = trace.setSpan(parent, observation.span);
    },
    onResultProcess({ request, result }) {
      const observation = observations.get(request);
      if (!observation) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!isExecutionResult(single)) continue;
        for (const error of single.errors ?? []) observation.codes.push(codeOf(error));
      }
    },
    onResponse({ request, response }) {
      const observation = observations.get(request);
      const requestId = requestIdOf(request);
      response.headers.set('x-request-id', requestId);
      if (!observation) return;
      const seconds = (performance.now() - observation.started) / 1000;
      const { operation, type, codes, span } = observation;
      const cost = observation.context ? queryCostOf(observation.context) : undefined;
      if (type !== 'unknown' || codes.length > 0) {
        metrics.operations.inc({ operation, type });
        metrics.operationDuration.observe({ operation }, seconds);
        for (const code of codes) metrics.operationErrors.inc({ operation, code });
        if (cost !== undefined) metrics.queryCost.observe(cost);
      }
      if (span) {
        if (cost !== undefined) span.setAttribute('graphql.operation.cost', cost);
        if (codes.length > 0)
          span.setStatus({ code: SpanStatusCode.ERROR, message: [...new Set(codes)].join(',') });
        span.end();
      }
      logger.info(
        {
          requestId,
          method: request.method,
          status: response.status,
          operation,
          type,
          durationMs: Math.round(seconds * 10_000) / 10,
          cost,
          codes: codes.length > 0 ? [...new Set(codes)] : undefined,
          client: clientNameOf(request),
        },
        'graphql request',
      );
    },
  };
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}

function codeOf(error: { extensions?: Record<string, unknown> } | GraphQLError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
