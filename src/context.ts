import type { Caller } from './auth/caller.js';
import {
  InvalidTokenError,
  KeysUnavailableError,
  type TokenVerifier,
} from './auth/token-verifier.js';
import type { IdempotentMutations } from './idempotency/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { RequestScope } from './request-scope.js';
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
  maxBatchSize: number;
  batching: boolean;
}

export function createContextFactory(options: ContextFactoryOptions) {
  return async ({ request }: { request: Request }): Promise<Context> => {
    const scope = options.scopeOf(request);
    if (scope === undefined) throw new Error('no request scope: useRequestScope must run first');

    try {
      const caller = await options.verifyToken(request.headers.get('authorization'));
      scope.identify(
        caller === null ? { caller: null, rejected: false, unavailable: false } : { caller },
      );
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        scope.identify({ caller: null, rejected: false, unavailable: true });
      } else if (error instanceof InvalidTokenError) {
        scope.identify({ caller: null, rejected: true, unavailable: false });
      } else {
        throw error;
      }
    }

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
}
