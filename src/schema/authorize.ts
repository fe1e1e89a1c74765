import type DataLoader from 'dataloader';
import type { GraphQLError } from 'graphql';
import type { Caller } from '../auth/caller.js';
import type { Context } from '../context.js';
import { callerUnavailable, forbidden, unauthenticated } from '../errors.js';

/** The caller, or UNAUTHENTICATED: for fields that mean nothing without one. */
export function requireCaller(ctx: Context): Caller {
  if (ctx.caller === null) throw noCaller(ctx);
  return ctx.caller;
}

/** Why there is no caller: no (valid) token, or an issuer that could not be asked. */
export function noCaller(ctx: Context): GraphQLError {
  const identity = ctx.scope.identity;
  if (identity.caller !== null) return unauthenticated(false);
  return identity.unavailable ? callerUnavailable() : unauthenticated(identity.rejected);
}

/**
 * Loads records for `node`/`nodes` and keeps only those the caller may see: each id gets its
 * record, null when it does not exist or the caller may not see it (the same answer, as
 * GitHub's "could not resolve to a node": ids cannot be probed for what exists), or its own
 * error (an upstream failure), so one failed id in `nodes(ids:)` does not take the others down.
 *
 * The errors travel as values: graphql-js raises an Error value at the path of the item it
 * stands for. Pothos's `loadMany` type does not model that, hence the one cast below.
 */
export async function loadVisible<T>(
  ctx: Context,
  ids: readonly string[],
  loader: DataLoader<string, T | null>,
  mayView: (caller: Caller, record: T) => boolean | Promise<boolean>,
): Promise<(T | null)[]> {
  const caller = ctx.caller;
  if (caller === null) return ids.map(() => noCaller(ctx)) as unknown as null[];
  const records = await loader.loadMany(ids);
  const visible = await Promise.all(
    records.map(async (record): Promise<T | null | Error> => {
      if (record === null || record instanceof Error) return record;
      try {
        return (await mayView(caller, record)) ? record : null;
      } catch (error) {
        return error instanceof Error ? error : forbidden();
      }
    }),
  );
  return visible as (T | null)[];
}
