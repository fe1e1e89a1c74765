import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupTracing, tracer, tracingResource } from '../../src/observability/tracing.js';

/** What a trace backend is told the spans come from. */

afterEach(() => vi.unstubAllEnvs());

describe('the spans’ resource', () => {
  it('names the service skyway when the variables say nothing', () => {
    vi.stubEnv('OTEL_SERVICE_NAME', undefined);
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', undefined);
    const attributes = tracingResource().attributes;
    expect(attributes['service.name']).toBe('skyway');
    expect(attributes['telemetry.sdk.language']).toBe('nodejs');
  });

  it('takes OTEL_RESOURCE_ATTRIBUTES, and OTEL_SERVICE_NAME over its service.name', () => {
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'service.name=bff,deployment.environment=staging');
    expect(tracingResource().attributes).toMatchObject({
      'service.name': 'bff',
      'deployment.environment': 'staging',
    });
    vi.stubEnv('OTEL_SERVICE_NAME', 'skyway-eu');
    expect(tracingResource().attributes['service.name']).toBe('skyway-eu');
  });

  it('is the resource of every span exported', async () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'skyway-eu');
    const exporter = new InMemorySpanExporter();
    const stop = setupTracing({}, exporter);
    tracer.startSpan('a').end();
    const [span] = exporter.getFinishedSpans();
    await stop();
    expect(span?.resource.attributes['service.name']).toBe('skyway-eu');
  });
});
