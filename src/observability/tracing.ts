import { type Context, context, propagation, type Span, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { randomHex } from './request-id.js';

/**
 * OpenTelemetry tracing. Off unless the standard variables ask for it
 * (`OTEL_TRACES_EXPORTER=otlp`, or `OTEL_EXPORTER_OTLP_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` set), in which case spans go out over OTLP/HTTP in
 * batches. Off, the API's no-op tracer makes spans free. Either way a W3C `traceparent` goes
 * to every upstream, so a trace that starts at a client spans the BFF and the services.
 */

export const tracer = trace.getTracer('skyway');

let provider: BasicTracerProvider | undefined;

/** Registers the global tracer provider; returns how to flush and stop it. */
export function setupTracing(
  env: Record<string, string | undefined>,
  exporter?: SpanExporter,
): () => Promise<void> {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const wanted =
    env.OTEL_SDK_DISABLED !== 'true' &&
    (env.OTEL_TRACES_EXPORTER === 'otlp' ||
      (env.OTEL_TRACES_EXPORTER !== 'none' &&
        (env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
          env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined)));
  if (provider !== undefined || (!wanted && exporter === undefined)) return async () => {};
  provider = new BasicTracerProvider({
    resource: tracingResource(),
    spanProcessors: [
      // A test's exporter sees each span at once; OTLP gets them in batches.
      exporter
        ? new SimpleSpanProcessor(exporter)
        : new BatchSpanProcessor(new OTLPTraceExporter()),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  const registered = provider;
  return async () => {
    await registered.shutdown();
  };
}

/**
 * What the spans say they come from: the SDK's own attributes, then `skyway` as the service,
 * then what the standard variables say (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, read
 * from the process's environment as every OpenTelemetry SDK reads them); later ones win.
 * Without it every trace said `unknown_service:node`.
 */
export function tracingResource(): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'skyway' }))
    .merge(detectResources({ detectors: [envDetector] }));
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The `traceparent` a request's upstream calls carry when tracing records nothing: the client's
 * trace continues when it sent one, with this hop as a new parent span; otherwise a new trace
 * starts here. With tracing on, each attempt sends its own span's (`traceparentFor`).
 */
export function childTraceparent(incoming: string | null): string {
  const match = incoming === null ? null : TRACEPARENT.exec(incoming);
  const traceId = match?.[1] ?? randomHex(16);
  const flags = match?.[3] ?? '01';
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}

/** Starts a client span for one upstream attempt under `parent` (the operation's span). */
export function startUpstreamSpan(
  name: string,
  parent: Context | undefined,
  attributes: Record<string, string | number>,
): Span {
  return tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent ?? context.active());
}

/**
 * The `traceparent` to send with a call made inside `span`; when tracing is off (the span
 * records nothing), the request's own traceparent (`fallback`) is forwarded instead.
 */
export function traceparentFor(span: Span, fallback: string | undefined): string | undefined {
  if (!span.isRecording()) return fallback;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier.traceparent ?? fallback;
}
