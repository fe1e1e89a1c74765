import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { Weight } from '../cost/directives.js';
import { rateLimited } from '../errors.js';
import { addressBudget } from '../rate-limit/address-budget.js';
import type { RateLimitStore } from '../rate-limit/index.js';
import type { UpstreamUsage } from '../request-scope.js';

/**
 * Charges each operation to its caller's bucket (`src/rate-limit`) in two steps, Shopify's
 * requested and actual cost:
 *
 * 1. Just before it runs, its estimated cost (`use-query-cost.ts`, the most it can make the
 *    services do) is taken. When the bucket does not hold it, nothing runs: RATE_LIMITED,
 *    `extensions.retryAfterS`, HTTP 429 and `Retry-After`, no upstream called. Many
 *    operations at once therefore need their estimates together: a scraper sending a hundred
 *    boards in parallel is refused all but the first few.
 * 2. When it is done, it is charged what it made the services do: a point per record they
 *    answered, `Weight.MUTATION` per write (the estimator's units), and the rest of the
 *    estimate is given back. What did not run costs nothing: a refused field (FORBIDDEN), a
 *    failed or skipped upstream call, ids that were not found, deliveries without a drone, a
 *    board's owners read once for many deliveries. An operation that ran without an error
 *    costs at least one point, so a flood of free queries (`{ __typename }`) is limited too.
 *
 * The caller is the token's subject, or without a valid token the client's address (the
 * socket's peer, or behind trusted proxies what they say: `client-address.ts`), an IPv6 one
 * by its /64 (`rate-limit/address-budget.ts`). When the
 * store fails (Redis away), the operation goes through and the failure is reported: a limiter
 * that takes the API down with it protects nothing. A Redis store that failed is not asked
 * again for a few seconds (`rate-limit/store-cooldown.ts`): its calls fail at once meanwhile,
 * so an outage does not add Redis's deadline to every request.
 */

export interface RateLimitOptions {
  store: RateLimitStore;
  /**
   * Report `extensions.rateLimit: { capacity, available, restorePerS }` in every response,
   * `available` as left once the operation was charged what it ran.
   * @default false
   */
  exposeBudget?: boolean;
  /** Told each time the store could not be asked (or was cooling down); the operation was let through. */
  onStoreError?: (error: unknown) => void;
}

export function useRateLimit(options: RateLimitOptions): Plugin {
  const { store } = options;
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as unknown as Context;
      const requested = Math.max(1, context.scope.cost ?? 1);
      const key = callerKey(context);
      let decision: Awaited<ReturnType<RateLimitStore['take']>>;
      try {
        decision = await store.take(key, requested);
      } catch (error) {
        options.onStoreError?.(error);
        return;
      }
      if (!decision.allowed) {
        setResultAndStopExecution({ errors: [rateLimited(decision.retryAfterS)] });
        return;
      }

      let hadErrors = false;
      /** Gives back what the operation did not spend; the points then available. */
      const settle = async (): Promise<number | undefined> => {
        const charged = actualCost(context.scope.usage, hadErrors);
        if (charged >= requested) return decision.available;
        try {
          return await store.refund(key, requested - charged);
        } catch (error) {
          options.onStoreError?.(error);
          return undefined;
        }
      };
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) {
            // @defer/@stream: settled when the last part has gone.
            return {
              onNext({ result: part }) {
                hadErrors ||= (part.errors?.length ?? 0) > 0;
              },
              onEnd() {
                void settle();
              },
            };
          }
          hadErrors = (result.errors?.length ?? 0) > 0;
          return settle().then((available) => {
            if (!options.exposeBudget) return;
            setResult(withBudget(result, store, available ?? decision.available));
          });
        },
      };
    },
  };
}

/**
 * What an operation made the services do, in the estimator's points: a record read is one, a
 * write is a mutation's weight. One point at least when it ran without an error.
 */
export function actualCost(usage: UpstreamUsage | undefined, hadErrors: boolean): number {
  const spent = (usage?.records ?? 0) + (usage?.writes ?? 0) * Weight.MUTATION;
  return spent === 0 && !hadErrors ? 1 : spent;
}

function withBudget(
  result: ExecutionResult,
  store: RateLimitStore,
  available: number,
): ExecutionResult {
  const budget = {
    capacity: store.options.capacity,
    available: Math.floor(available),
    restorePerS: store.options.restorePerS,
  };
  return { ...result, extensions: { ...result.extensions, rateLimit: budget } };
}

/** Whose budget pays: the verified subject, else the address the request came from. */
function callerKey(context: Context): string {
  if (context.caller) return `sub:${context.caller.accountId}`;
  return `ip:${addressBudget(context.scope.clientAddress)}`;
}
