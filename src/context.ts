import type { Plugin } from 'graphql-yoga';
import type { Caller } from './auth/caller.js';
import {
  InvalidTokenError,
  KeysUnavailableError,
  type TokenVerifier,
} from './auth/token-verifier.js';
import type { IdempotentMutations } from './idempotency/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { Identity, RequestScope } from './request-scope.js';
import type { SagaEvents } from './sagas/events.js';
import type { BoundUpstreams, Upstreams } from './upstreams/index.js';

/** What every resolver of one GraphQL request can reach. */
export interface Context {
  /** The request's state: id, deadline, identity, trace, cost (see `request-scope.ts`). */
  scope: RequestScope;
  /** The verified caller (`scope.caller`), or null without a valid token. */
  caller: Caller | null;
  /** This request's service clients, bound to its scope. */
  upstreams: BoundUpstreams;
  loaders: Loaders;
  /** Runs each mutation at most once per idempotency key. */
  idempotency: IdempotentMutations;
  /** How sagas end, for metrics. */
  sagaEvents: SagaEvents;
}

export interface ContextFactoryOptions {
  /** The scope `useRequestScope` made for a request. */
  scopeOf: (request: Request) => RequestScope | undefined;
  upstreams: Upstreams;
  idempotency: IdempotentMutations;
  sagaEvents: SagaEvents;
  verifyToken: TokenVerifier;
  /** Where GraphQL requests arrive: only theirs get a token check. */
  graphqlEndpoint: string;
  maxBatchSize: number;
  batching: boolean;
}

/**
 * The context of each request, and a plugin that starts the caller's token check as soon as a
 * request's headers are in. An ES256 signature is checked on libuv's thread pool, so started
 * there it runs while the main thread reads the body, parses and validates the operation (the
 * guarded entry), instead of after them: a token not seen before costs about 0.5–1 ms, which
 * this takes off the request's path. A request refused before its context is built (a bad
 * body, too costly) still paid for the check; one check per request is what any request with
 * a token costs anyway, and a token seen before is a cache hit (`token-verifier.ts`).
 */
export function createContextFactory(options: ContextFactoryOptions) {
  const identities = new WeakMap<Request, Promise<Identity>>();
  const identify = async (request: Request): Promise<Identity> => {
    try {
      const caller = await options.verifyToken(request.headers.get('authorization'));
      return caller === null ? { caller: null, rejected: false, unavailable: false } : { caller };
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        return { caller: null, rejected: false, unavailable: true };
      }
      if (error instanceof InvalidTokenError) {
        return { caller: null, rejected: true, unavailable: false };
      }
      throw error;
    }
  };

  const startCallerCheck: Plugin = {
    onRequest({ request, url }) {
      if (url.pathname !== options.graphqlEndpoint || !request.headers.has('authorization')) {
        return;
      }
      const identity = identify(request);
      // Awaited by the context, if the request gets that far; never an unhandled rejection.
      identity.catch(() => {});
      identities.set(request, identity);
    },
  };

  const context = async ({ request }: { request: Request }): Promise<Context> => {
    const scope = options.scopeOf(request);
    if (scope === undefined) throw new Error('no request scope: useRequestScope must run first');
    scope.identify(await (identities.get(request) ?? identify(request)));

    const upstreams = options.upstreams.bind(scope);
    return {
      scope,
      caller: scope.caller,
      upstreams,
      loaders: createLoaders(upstreams, {
        maxBatchSize: options.maxBatchSize,
        batching: options.batching,
      }),
      idempotency: options.idempotency,
      sagaEvents: options.sagaEvents,
    };
  };

  return { context, startCallerCheck };
}
