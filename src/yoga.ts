import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createTokenVerifier } from './auth/token-verifier.js';
import type { Config } from './config.js';
import { type Context, createContextFactory } from './context.js';
import { graphiqlOptions } from './graphiql.js';
import { createIdempotencyStore, IdempotentMutations } from './idempotency/index.js';
import { useVariableErrorCode } from './plugins/use-variable-error-code.js';
import { maskError } from './schema/errors.js';
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
  /** Closes the upstream pools and the idempotency store; call after the HTTP server has drained. */
  close(): Promise<void>;
}

export interface SkywayOptions {
  /** A token GraphiQL's header editor starts with (npm start passes one). */
  devToken?: string;
}

export function createSkyway(config: Config, options: SkywayOptions = {}): Skyway {
  const upstreams = createUpstreams(config);
  const idempotencyStore = createIdempotencyStore(config.idempotency);
  const idempotency = new IdempotentMutations(idempotencyStore, config.idempotency);
  const context = createContextFactory({
    upstreams,
    idempotency,
    verifyToken: createTokenVerifier(config.auth),
    requestTimeoutMs: config.requestTimeoutMs,
    maxBatchSize: config.maxBatchSize,
    batching: config.batching,
  });
  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    context,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    graphiql: config.env === 'production' ? false : graphiqlOptions(options.devToken),
    renderGraphiQL,
    maskedErrors: { maskError, isDev: config.env === 'development' },
    logging: config.env === 'test' ? 'warn' : 'info',
    plugins: [useVariableErrorCode()],
  });
  for (const [upstream, http] of Object.entries(upstreams.http)) {
    http.policy.onBreakerStateChange((state) =>
      yoga.logger.warn(JSON.stringify({ event: 'circuit-breaker', upstream, state })),
    );
  }
  return {
    yoga,
    upstreams,
    idempotency,
    async close() {
      await Promise.all([upstreams.close(), idempotencyStore.close()]);
    },
  };
}
