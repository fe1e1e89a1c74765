import {
  type Aggregator,
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import { BoundedLabel, MAX_CLIENTS, MAX_EXTRA_OPERATIONS } from './labels.js';

/**
 * The BFF's Prometheus metrics, in one registry per Skyway instance, served at `/metrics` on a
 * listener of its own (`metrics-server.ts`); in cluster mode the primary sums the workers'.
 *
 * - RED per operation: requests, errors by code, requests failed by the server's fault, duration;
 * - per upstream: calls by outcome, failures by reason, attempt latency, retries, breaker state,
 *   bulkhead load (these last read from the policies when scraped);
 * - query cost; idempotency replays and conflicts; deprecated fields used, by client;
 * - the runtime's own (`process_*`, `nodejs_*`, event-loop lag), prom-client's defaults.
 *
 * Label values from clients (operation and client names) come from a bounded set
 * (`labels.ts`), so a client cannot grow the series by inventing names.
 */

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface MetricsOptions {
  /** Operation names always labelled as themselves: the persisted-documents manifest's. */
  knownOperations?: Iterable<string>;
}

export class Metrics {
  readonly registry = new Registry();
  /** Operation label values: the known names, then the first few others admitted. */
  readonly operationNames: BoundedLabel;
  /** Client label values: the first few client names admitted. */
  readonly clientNames = new BoundedLabel([], MAX_CLIENTS);

  constructor(options: MetricsOptions = {}) {
    this.operationNames = new BoundedLabel(options.knownOperations ?? [], MAX_EXTRA_OPERATIONS);
    collectDefaultMetrics({ register: this.registry });
  }

  readonly operations = new Counter({
    name: 'skyway_graphql_requests_total',
    help: 'GraphQL requests, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });
  /** Per request and code, not per error: a board with 100 failed drones is one failed request. */
  readonly operationErrors = new Counter({
    name: 'skyway_graphql_errors_total',
    help: 'Requests answered with at least one error of a code, by operation name and error code.',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  /**
   * Once per request that failed by the server's fault (`isServerFault`), however many errors
   * and codes it has: the SLO's failed requests. Adding up `operationErrors` over codes
   * instead counts a request with two failing upstreams twice, and can pass the requests.
   */
  readonly failedRequests = new Counter({
    name: 'skyway_graphql_failed_requests_total',
    help: 'Requests answered with at least one server-side error (INTERNAL_SERVER_ERROR, UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT), once each, by operation name.',
    labelNames: ['operation'] as const,
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
  readonly rateLimitStoreFailures = new Counter({
    name: 'skyway_rate_limit_store_failures_total',
    help: 'Operations let through unlimited because the rate-limit store could not be asked.',
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
    /** How the cluster primary combines the workers' values: a sum unless said otherwise. */
    aggregator: Aggregator = 'sum',
  ): void {
    const Metric = kind === 'gauge' ? Gauge : Counter;
    new Metric({
      name,
      help,
      labelNames,
      aggregator,
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
