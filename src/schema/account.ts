import { mayActFor } from '../auth/caller.js';
import type { Context } from '../context.js';
import { Weight } from '../cost/directives.js';
import { ErrorCode, notFound } from '../errors.js';
import type { AccountRecord } from '../upstreams/records.js';
import { loadVisible, noCaller } from './authorize.js';
import { builder } from './builder.js';

/**
 * An account as resolvers hold it: the whole record, or only its id when nothing has needed
 * more yet. `viewer` hands out the id alone, so `viewer { deliveries }` asks the deliveries
 * service at once, beside the accounts service, instead of after it: one round trip less on
 * the mobile home screen. `name` and `email` load the record (batched) when selected.
 */
export type AccountParent = AccountRecord | { id: string };

export const AccountRef = builder.objectRef<AccountParent>('Account');

async function load(id: string, ctx: Context): Promise<AccountRecord> {
  const loaded = await ctx.loaders.accounts.load(id);
  if (loaded === null) throw notFound('The account');
  return loaded;
}

/**
 * One field of the account's record: at once when the parent is the record, after loading it
 * when the parent is only its id (no promise for the common case: a list of owners).
 */
function fieldOf<K extends keyof AccountRecord>(
  account: AccountParent,
  ctx: Context,
  name: K,
): AccountRecord[K] | Promise<AccountRecord[K]> {
  if ('name' in account) return account[name];
  return load(account.id, ctx).then((loaded) => loaded[name]);
}

/**
 * The account's name; for the caller's own account, the name its token carries when the
 * accounts service cannot answer. `name` is non-null, so without it an accounts outage would
 * null the whole `viewer` and throw away the deliveries already fetched beside it (the mobile
 * home screen, blank). The token's name is the one the issuer signed at sign-in: at worst an
 * hour stale, and only while the service is down.
 */
function nameOf(account: AccountParent, ctx: Context): string | Promise<string> {
  const name = fieldOf(account, ctx, 'name');
  const signed = ctx.caller?.accountId === account.id ? ctx.caller.name : undefined;
  if (typeof name === 'string' || signed === undefined) return name;
  return name.catch((error: unknown) => {
    if (isUpstreamFailure(error)) return signed;
    throw error;
  });
}

/** The coded error of a failed or slow upstream (`upstreams/errors.ts`). */
function isUpstreamFailure(error: unknown): boolean {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return code === ErrorCode.UPSTREAM_UNAVAILABLE || code === ErrorCode.UPSTREAM_TIMEOUT;
}

builder.node(AccountRef, {
  description: 'A customer or dispatcher account, from the accounts service.',
  // One record read from its service wherever it appears.
  directives: { cost: { weight: Weight.UPSTREAM_RECORD } },
  id: { resolve: (account) => account.id },
  // node(id:) shows an account to itself and to dispatchers only.
  loadMany: (ids, ctx) =>
    loadVisible(ctx, ids, ctx.loaders.accounts, (caller, account) => mayActFor(caller, account.id)),
  fields: (t) => ({
    name: t.string({ resolve: (account, _args, ctx) => nameOf(account, ctx) }),
    email: t.string({ resolve: (account, _args, ctx) => fieldOf(account, ctx, 'email') }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: AccountRef,
    nullable: true,
    description: 'The caller, from the bearer token. Null without a valid token.',
    resolve: (_root, _args, ctx) => {
      // No token: no viewer, no error. A token sent but refused (garbage, expired, forged):
      // null with UNAUTHENTICATED, so an app can tell "your session expired" from "logged
      // out". A token that could not be checked: an error too, not "logged out".
      const identity = ctx.scope.identity;
      if (identity.caller === null && (identity.unavailable || identity.rejected)) {
        throw noCaller(ctx);
      }
      return ctx.caller === null ? null : { id: ctx.caller.accountId };
    },
  }),
);
