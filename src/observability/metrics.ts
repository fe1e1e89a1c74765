import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The BFF's Prometheus metrics, in one registry per Skyway instance, served at `/metrics`.
 *
 * - RED per operation: requests, errors by code, duration;
 * - per upstream: calls by outcome, failures by reason, attempt latency, retries, breaker state,
 *   bulkhead load (these last read from the policies when scraped);
 * - query cost; idempotency replays and conflicts; deprecated fields used, by client.
 *
 * Label values from clients (operation and client names) are bounded to a safe alphabet and
 * length, so a client cannot grow the series without limit by inventing names.
 */

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly registry = new Registry();

  readonly operations = new Counter({
    name: 'skyway_graphql_requests_total',
    help: 'GraphQL requests, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });
  readonly operationErrors = new Counter({
    name: 'skyway_graphql_errors_total',
    help: 'GraphQL errors in responses, by operation name and error code.',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: 'skyway_graphql_request_duration_seconds',
    help: 'Time from request to response, by operation name.',
    labelNames: ['operation'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly queryCost = new Histogram({
    name: 'skyway_graphql_query_cost',
    help: 'Estimated cost of each executed operation.',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'skyway_upstream_calls_total',
    help: 'Upstream attempts, by upstream, route template and outcome (ok or a failure reason).',
    labelNames: ['upstream', 'route', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'skyway_upstream_duration_seconds',
    help: 'Upstream attempt latency, by upstream and route template.',
    labelNames: ['upstream', 'route'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly deprecatedFields = new Counter({
    name: 'skyway_deprecated_field_usage_total',
    help: 'Operations that used a deprecated field, by field and client name.',
    labelNames: ['field', 'client'] as const,
    registers: [this.registry],
  });

  /** Registers gauges and counters whose values are read from elsewhere at scrape time. */
  observe(
    name: string,
    help: string,
    labelNames: string[],
    read: () => Array<[Record<string, string>, number]>,
    kind: 'gauge' | 'counter' = 'gauge',
  ): void {
    const Metric = kind === 'gauge' ? Gauge : Counter;
    new Metric({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect(this: Gauge | Counter) {
        this.reset();
        for (const [labels, value] of read()) {
          if (this instanceof Gauge) this.set(labels, value);
          else this.inc(labels, value);
        }
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A label value from a client: letters, digits, `_-.` and at most 64 characters. */
export function safeLabel(value: string | null | undefined, fallback: string): string {
  if (!value) return fallback;
  return /^[\w.-]{1,64}$/.test(value) ? value : 'other';
}
