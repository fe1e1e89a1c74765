import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createTokenVerifier } from './auth/token-verifier.js';
import { clientAddressFrom } from './client-address.js';
import type { Config } from './config.js';
import { type Context, createContextFactory } from './context.js';
import { corsFor, useVaryOrigin } from './cors.js';
import { maskError } from './errors.js';
import { graphiqlOptions, renderSkywayGraphiQL } from './graphiql.js';
import { createIdempotencyStore, IdempotentMutations } from './idempotency/index.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import {
  observeIdempotency,
  observePolicies,
  observeRecordReuse,
  observeSagas,
  observeStores,
} from './observability/policy-metrics.js';
import { guardedEntry } from './plugins/guarded-entry.js';
import {
  loadPersistedDocuments,
  operationNamesIn,
} from './plugins/persisted-documents-manifest.js';
import { useCompiledExecution } from './plugins/use-compiled-execution.js';
import { useDeferFallback } from './plugins/use-defer-fallback.js';
import { useDeprecationSignals } from './plugins/use-deprecation-signals.js';
import { useGraphiqlOffNotice } from './plugins/use-graphiql-off-notice.js';
import { createOperationTelemetry } from './plugins/use-operation-telemetry.js';
import { type Readiness, useOperationalEndpoints } from './plugins/use-operational-endpoints.js';
import { usePersistedDocuments } from './plugins/use-persisted-documents.js';
import { createRequestScopes } from './plugins/use-request-scope.js';
import { useVariableErrorCode } from './plugins/use-variable-error-code.js';
import { createRateLimitStore } from './rate-limit/index.js';
import { STORE_COOLDOWN_MS } from './rate-limit/store-cooldown.js';
import { SagaCompleter } from './sagas/completer.js';
import { SagaEvents } from './sagas/events.js';
import { schema } from './schema/index.js';
import { createUpstreams, type Upstreams } from './upstreams/index.js';

/**
 * The BFF as a fetch-style handler: schema, per-request context and plugins, built from a
 * config. `server.ts` listens with it; tests and benchmarks can too.
 */
export interface Skyway {
  yoga: YogaServerInstance<Record<string, never>, Context>;
  upstreams: Upstreams;
  idempotency: IdempotentMutations;
  /** Finishes sagas whose client is gone; `startServer` starts it. */
  completer: SagaCompleter;
  sagaEvents: SagaEvents;
  metrics: Metrics;
  logger: Logger;
  /** Stops taking traffic: `/readyz` says 503 and responses close their connections. */
  drain(): void;
  /** Closes the upstream pools and the idempotency store; call after the HTTP server has drained. */
  close(): Promise<void>;
}

export interface SkywayOptions {
  /** A token GraphiQL's header editor starts with (npm start passes one). */
  devToken?: string;
  /** Where logs go; stdout at `LOG_LEVEL` when absent (tests pass their own). */
  logger?: Logger;
  /**
   * For tests only: the clock (ms epoch) the Redis stores use instead of Redis's own, so a
   * test moves time instead of waiting for it. The memory stores read `Date.now()` already.
   */
  storeClock?: () => number;
}

const GRAPHQL_ENDPOINT = '/graphql';

export function createSkyway(config: Config, options: SkywayOptions = {}): Skyway {
  // First, so a bad manifest stops the start before any pool or store is opened.
  const persistedDocuments =
    config.persistedDocuments.mode === 'off'
      ? new Map<string, string>()
      : loadPersistedDocuments(config.persistedDocuments.manifest);
  const logger = options.logger ?? createLogger(config.logLevel);
  // The apps' operations are labelled by name whatever else comes first (labels.ts).
  const metrics = new Metrics({ knownOperations: operationNamesIn(persistedDocuments) });
  const upstreams = createUpstreams(config, metrics, logger);
  const idempotencyStore = createIdempotencyStore(config.idempotency, options.storeClock);
  const idempotency = new IdempotentMutations(idempotencyStore, config.idempotency);
  const rateLimitStore = createRateLimitStore(config.rateLimit, {
    // A Redis outage is logged once when it starts and once when it ends, not per request.
    availability: {
      onUnavailable: (reason) =>
        logger.warn(
          { store: 'rate-limit', reason, cooldownMs: STORE_COOLDOWN_MS },
          'rate-limit store unavailable; requests let through unlimited until it answers',
        ),
      onBack: () =>
        logger.info({ store: 'rate-limit' }, 'rate-limit store back; requests limited again'),
    },
    redisClock: options.storeClock,
  });
  observePolicies(metrics, upstreams);
  observeRecordReuse(metrics, upstreams);
  observeIdempotency(metrics, idempotency);
  observeStores(metrics, { idempotency: () => idempotencyStore.ping() });
  const sagaEvents = new SagaEvents();
  observeSagas(metrics, sagaEvents);
  const completer = new SagaCompleter(idempotency, upstreams, sagaEvents, logger, {
    ...config.sagas,
    batch: 20,
    budgetMs: config.requestTimeoutMs,
  });
  let draining = false;
  const readiness: Readiness = {
    accepting: () => !draining,
    checks: { idempotencyStore: () => idempotencyStore.ping() },
    report: () => ({
      breakers: Object.fromEntries(
        Object.entries(upstreams.http).map(([name, http]) => [name, http.policy.breakerState]),
      ),
    }),
  };
  const scopes = createRequestScopes({
    budgetMs: config.requestTimeoutMs,
    clientAddress: clientAddressFrom(config.trustedProxies, config.forwardingHeader),
  });
  const telemetry = createOperationTelemetry({ logger, metrics, scopeOf: scopes.of });
  const { context, startCallerCheck } = createContextFactory({
    scopeOf: scopes.of,
    upstreams,
    idempotency,
    sagaEvents,
    verifyToken: createTokenVerifier(config.auth),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    maxBatchSize: config.maxBatchSize,
    batching: config.batching,
  });
  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    context,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    // Cross-origin callers: only CORS_ORIGINS, never with credentials (src/cors.ts).
    cors: corsFor(config.corsOrigins),
    graphiql: config.env === 'production' ? false : graphiqlOptions(options.devToken),
    renderGraphiQL: renderSkywayGraphiQL,
    maskedErrors: { maskError, isDev: config.env === 'development' },
    // Guarded entry: one operation per request, no file uploads.
    batching: false,
    multipart: false,
    // Bodies up to the limit: enforced by useBodySizeLimit (guarded entry), not Yoga's.
    maxRequestBodySize: false,
    logging: yogaLogger(logger),
    plugins: [
      // First: every request gets its scope (id, deadline, signal), and its id on the answer.
      scopes.plugin,
      // The caller's token is checked off the main thread while the body is read (context.ts).
      startCallerCheck,
      ...(config.env === 'production' ? [useGraphiqlOffNotice()] : []),
      useVaryOrigin(config.corsOrigins),
      useOperationalEndpoints({ readiness }),
      telemetry.observe,
      usePersistedDocuments({
        mode: config.persistedDocuments.mode,
        documents: persistedDocuments,
      }),
      // Limits, cost and the caller's budget, all before anything runs (src/plugins).
      ...guardedEntry({
        guards: config.guards,
        scopeOf: scopes.of,
        rateLimitStore,
        // Every request let through unlimited is counted (the log says it once per outage).
        onRateLimitStoreError: () => metrics.rateLimitStoreFailures.inc(),
      }),
      // Only what the guarded entry let through is labelled by name or client (labels.ts).
      telemetry.admit,
      useDeprecationSignals({ metrics }),
      // Compiled per document; operations with @defer or @stream are interpreted (below).
      useCompiledExecution(),
      // @defer and @stream: the first part answers before the slow fields (multipart or SSE).
      useDeferStream(),
      useDeferFallback(),
      useVariableErrorCode(),
    ],
  });
  for (const [upstream, http] of Object.entries(upstreams.http)) {
    http.policy.onBreakerStateChange((state) =>
      logger.warn({ upstream, state }, 'circuit breaker state changed'),
    );
  }
  return {
    yoga,
    upstreams,
    idempotency,
    completer,
    sagaEvents,
    metrics,
    logger,
    drain() {
      draining = true;
    },
    async close() {
      await completer.stop();
      await Promise.all([upstreams.close(), idempotencyStore.close(), rateLimitStore?.close()]);
    },
  };
}

/** Yoga's own messages (its errors, warnings) through the same JSON logger. */
function yogaLogger(logger: Logger) {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) logger[level]({ err: first }, first.message);
      else logger[level]({ details: rest.length > 0 ? rest : undefined }, String(first));
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}
