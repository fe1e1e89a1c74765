import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import type { RateLimitStore } from '../rate-limit/index.js';
import type { RequestScope } from '../request-scope.js';
import { MAX_PAGE_SIZE } from '../schema/delivery.js';
import { useBodySizeLimit } from './use-body-size-limit.js';
import { useHiddenSuggestions } from './use-hidden-suggestions.js';
import { useMaxTokens } from './use-max-tokens.js';
import { useQueryCost } from './use-query-cost.js';
import { useRateLimit } from './use-rate-limit.js';
import { useShapeLimits } from './use-shape-limits.js';
import { useStreamArguments } from './use-stream-arguments.js';
import { useUnsupportedMediaType } from './use-unsupported-media-type.js';
import { useVariableLimits } from './use-variable-limits.js';

/**
 * The door every request passes, in the order it meets it: CSRF check, content type and body
 * size (while the HTTP request is read), the variables' shape (before parsing), tokens (while
 * parsing), shape limits and introspection (while validating), cost (after validating), then
 * `@stream`'s `initialCount` and the caller's budget (just before executing). Whatever is
 * refused is refused before any resolver runs, so before any upstream call.
 */

/**
 * Headers that mark a request as not forgeable by a plain HTML form or `<img>`: a browser
 * sends a custom header only after a CORS preflight. JSON POSTs are preflighted anyway; GET
 * and form-like POSTs must carry one of these. Yoga's own and Apollo Client's.
 */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

export interface GuardedEntryOptions {
  guards: Config['guards'];
  /** The request's scope, where the operation's price is kept. */
  scopeOf: (request: Request) => RequestScope | undefined;
  rateLimitStore: RateLimitStore | null;
  onRateLimitStoreError?: (error: unknown) => void;
}

/** Ours, and Yoga's packaged plugins, which are typed for any context. */
type GuardPlugin = Plugin | Plugin<Record<string, unknown>>;

export function guardedEntry(options: GuardedEntryOptions): GuardPlugin[] {
  const { guards, rateLimitStore } = options;
  return [
    // Its 403 carries no code; `maskError` (errors.ts) gives it BAD_REQUEST.
    useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
    useUnsupportedMediaType(),
    useBodySizeLimit(guards.maxBodyBytes),
    useVariableLimits(),
    useMaxTokens({ maxTokens: guards.maxTokens }),
    useShapeLimits({
      maxDepth: guards.maxDepth,
      maxAliases: guards.maxAliases,
      maxDirectives: guards.maxDirectives,
    }),
    ...(guards.introspection ? [] : [useDisableIntrospection()]),
    ...(guards.suggestions ? [] : [useHiddenSuggestions()]),
    useStreamArguments(),
    useQueryCost({
      maxCost: guards.maxCost,
      maxListSize: MAX_PAGE_SIZE,
      exposeCost: guards.exposeCost,
      scopeOf: options.scopeOf,
    }),
    ...(rateLimitStore
      ? [
          useRateLimit({
            store: rateLimitStore,
            exposeBudget: guards.exposeCost,
            onStoreError: options.onRateLimitStoreError,
          }),
        ]
      : []),
  ];
}
