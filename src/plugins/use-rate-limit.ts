import type { IncomingMessage } from 'node:http';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { RateLimitStore } from '../rate-limit/index.js';
import { rateLimited } from '../schema/errors.js';
import { queryCostOf } from './use-query-cost.js';

/**
 * Charges each operation's cost to its caller's bucket (`src/rate-limit`) just before it runs,
 * and refuses it with RATE_LIMITED, `extensions.retryAfterS`, HTTP 429 and `Retry-After` when
 * the bucket does not hold it: nothing runs, no upstream is called. The caller is the token's
 * subject, or without a valid token the client's address. Every operation costs at least one
 * point, so a flood of free queries (`{ __typename }`) is limited too.
 *
 * When the store fails (Redis away), the operation goes through and the failure is reported:
 * a limiter that takes the API down with it protects nothing.
 */

export interface RateLimitOptions {
  store: RateLimitStore;
  /**
   * Report `extensions.rateLimit: { capacity, available, restorePerS }` in every response.
   * @default false
   */
  exposeBudget?: boolean;
  /** Told when the store could not be asked; the operation was let through. */
  onStoreError?: (error: unknown) => void;
}

export function useRateLimit(options: RateLimitOptions): Plugin {
  const { store } = options;
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      // Our context, merged by Yoga into the server's (Node's `req` among it).
      const context = args.contextValue as unknown as Context & { req?: IncomingMessage };
      const cost = Math.max(1, queryCostOf(context) ?? 1);
      let decision: Awaited<ReturnType<RateLimitStore['take']>>;
      try {
        decision = await store.take(callerKey(context), cost);
      } catch (error) {
        options.onStoreError?.(error);
        return;
      }
      if (!decision.allowed) {
        setResultAndStopExecution({ errors: [rateLimited(decision.retryAfterS)] });
        return;
      }
      if (!options.exposeBudget) return;
      const budget = {
        capacity: store.options.capacity,
        available: Math.floor(decision.available),
        restorePerS: store.options.restorePerS,
      };
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, rateLimit: budget } });
        },
      };
    },
  };
}

/** Whose budget pays: the verified subject, else the address the request came from. */
function callerKey(context: Context & { req?: IncomingMessage }): string {
  if (context.caller) return `sub:${context.caller.accountId}`;
  return `ip:${context.req?.socket?.remoteAddress ?? 'unknown'}`;
}
