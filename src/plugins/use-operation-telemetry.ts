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
import { isServerFault } from '../errors.js';
import { callerIdOf, clientNameOf, operationNameOf } from '../observability/labels.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { tracer } from '../observability/tracing.js';
import type { RequestScope } from '../request-scope.js';

/**
 * Observes each request once: a span for the operation (parent of every upstream call's span),
 * the RED metrics, and one structured log line with operation, duration, cost, error codes,
 * request id and who asked (the verified caller's id, the address the request came from), all
 * read from the request's scope (`request-scope.ts`).
 *
 * Two plugins share the observations: `observe` comes first and sees every request; `admit`
 * comes right after the guarded entry, whose refusals stop execution before it, so it sees
 * only the requests let through. Only those get their operation's name as a label; a refused
 * request (rate-limited, too costly, invalid) is counted under `refused`, so a flood of
 * refused requests with invented names makes no series (see `labels.ts`).
 */

/** The operation label of requests the guarded entry did not let through. */
export const REFUSED = 'refused';

interface Observation {
  started: number;
  /** The operation's name if it has a name's shape (`labels.ts`), for the log and the span. */
  operation: string;
  type: string;
  /** Past the guarded entry: about to run. */
  admitted: boolean;
  span?: Span;
  codes: string[];
}

export interface OperationTelemetryOptions {
  logger: Logger;
  metrics: Metrics;
  /** The scope of a request (`use-request-scope.ts`). */
  scopeOf: (request: Request) => RequestScope | undefined;
}

export interface OperationTelemetry {
  /** First among the plugins: sees every request. */
  observe: Plugin<Context>;
  /** Right after the guarded entry: marks the requests it let through. */
  admit: Plugin;
}

export function createOperationTelemetry({
  logger,
  metrics,
  scopeOf,
}: OperationTelemetryOptions): OperationTelemetry {
  const observations = new WeakMap<Request, Observation>();

  const admit: Plugin = {
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const observation = request && observations.get(request);
      if (observation) observation.admitted = true;
    },
  };

  const observe: Plugin<Context> = {
    onRequest({ request }) {
      observations.set(request, {
        started: performance.now(),
        operation: 'unknown',
        type: 'unknown',
        admitted: false,
        codes: [],
      });
    },
    onExecute({ args }) {
      const ctx = args.contextValue as Context & { request: Request };
      const observation = observations.get(ctx.request);
      if (!observation) return;
      const operation = getOperationAST(args.document, args.operationName);
      observation.operation =
        operationNameOf(operation?.name?.value ?? args.operationName) ?? 'anonymous';
      observation.type = operation?.operation ?? 'unknown';
      // The client's trace continues here when it sent a traceparent.
      const parent = propagation.extract(ROOT_CONTEXT, ctx.request.headers, headerGetter);
      observation.span = tracer.startSpan(
        `graphql ${observation.type} ${observation.operation}`,
        {
          attributes: {
            'graphql.operation.name': observation.operation,
            'graphql.operation.type': observation.type,
            'skyway.request_id': ctx.scope.requestId,
            'client.address': ctx.scope.clientAddress,
          },
        },
        parent,
      );
      // Upstream calls made for this operation become children of its span.
      ctx.scope.trace = trace.setSpan(parent, observation.span);
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
      const scope = scopeOf(request);
      if (!observation || !scope) return;
      const ended = performance.now();
      const seconds = (ended - observation.started) / 1000;
      const { cost, requestId } = scope;
      const line = {
        requestId,
        method: request.method,
        status: response.status,
        operation: observation.operation,
        type: observation.type,
        durationMs: Math.round(seconds * 10_000) / 10,
        cost,
        codes: observation.codes.length > 0 ? [...new Set(observation.codes)] : undefined,
        client: clientNameOf(request),
        caller: callerIdOf(scope.caller?.accountId),
        clientAddress: scope.clientAddress,
      };
      // Yoga calls onResponse before it writes the answer: the metrics, the span's end and
      // the log line are recorded right after the answer is on its way, not on its path
      // (about 0.3 ms of a request one at a time). Their figures are taken now.
      setImmediate(() => record(observation, line, seconds, ended));
    },
  };

  function record(
    { operation, type, codes, span, admitted }: Observation,
    line: Record<string, unknown> & { cost: number | undefined },
    seconds: number,
    ended: number,
  ): void {
    const { cost } = line;
    if (type !== 'unknown' || codes.length > 0) {
      const label = admitted ? operationLabel(metrics, operation) : REFUSED;
      metrics.operations.inc({ operation: label, type });
      metrics.operationDuration.observe({ operation: label }, seconds);
      for (const code of new Set(codes)) metrics.operationErrors.inc({ operation: label, code });
      // Once, however many codes: the SLO divides these by the requests.
      if (codes.some(isServerFault)) metrics.failedRequests.inc({ operation: label });
      if (cost !== undefined) metrics.queryCost.observe(cost);
    }
    if (span) {
      if (cost !== undefined) span.setAttribute('graphql.operation.cost', cost);
      if (codes.length > 0)
        span.setStatus({ code: SpanStatusCode.ERROR, message: [...new Set(codes)].join(',') });
      span.end(ended);
    }
    logger.info(line, 'graphql request');
  }

  return { observe, admit };
}

/** Fixed words stay themselves; names take a place in the bounded set while there is one. */
function operationLabel(metrics: Metrics, operation: string): string {
  if (operation === 'anonymous' || operation === 'unknown') return operation;
  return metrics.operationNames.valueOf(operation);
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}

/**
 * An error's code for the metrics. Every refusal is coded before it gets here (`maskError`
 * gives Yoga's uncoded 4xx BAD_REQUEST; `use-unsupported-media-type.ts` the 415), so an error
 * still without one is one nothing expected: counted as the server's.
 */
function codeOf(error: { extensions?: Record<string, unknown> } | GraphQLError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
