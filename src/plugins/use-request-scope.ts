import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { ClientAddress } from '../client-address.js';
import { requestIdFrom } from '../observability/request-id.js';
import { RequestScope } from '../request-scope.js';

/**
 * Makes each request's `RequestScope` when it arrives, names the answer with its id
 * (`x-request-id`), and ends it once the answer is written. Other plugins and the context find
 * a request's scope with `of(request)`; the scopes live in this factory's own WeakMap, so a
 * scope goes with its request.
 *
 * An answer sent in parts (@defer/@stream as multipart or SSE) is still running when its
 * response starts; its scope is left to end by its own deadline, so the later parts keep it.
 */

export interface RequestScopeOptions {
  /** Each request's whole time budget (`REQUEST_TIMEOUT_MS`). */
  budgetMs: number;
  /** Where a request came from, read once, as it arrives, for all that needs it. */
  clientAddress: ClientAddress;
}

export interface RequestScopes {
  plugin: Plugin;
  /** The scope of a request that passed this plugin. */
  of(request: Request): RequestScope | undefined;
}

export function createRequestScopes({
  budgetMs,
  clientAddress,
}: RequestScopeOptions): RequestScopes {
  const scopes = new WeakMap<Request, RequestScope>();
  const plugin: Plugin = {
    onRequest({ request, serverContext }) {
      scopes.set(
        request,
        new RequestScope({
          requestId: requestIdFrom(request.headers),
          budgetMs,
          traceparent: request.headers.get('traceparent'),
          clientSignal: request.signal,
          clientAddress: clientAddress((serverContext as { req?: IncomingMessage }).req),
        }),
      );
    },
    onResponse({ request, response }) {
      const scope = scopes.get(request);
      if (scope === undefined) return;
      response.headers.set('x-request-id', scope.requestId);
      const type = response.headers.get('content-type') ?? '';
      if (type.startsWith('multipart/') || type.startsWith('text/event-stream')) return;
      scope.end();
    },
  };
  return { plugin, of: (request) => scopes.get(request) };
}
