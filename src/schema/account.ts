import { mayActFor } from '../auth/caller.js';
import type { Context } from '../context.js';
import { Weight } from '../cost/directives.js';
import type { AccountRecord } from '../upstreams/records.js';
import { loadVisible, noCaller } from './authorize.js';
import { builder } from './builder.js';
import { notFound } from './errors.js';

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

builder.node(AccountRef, {
  description: 'A customer or dispatcher account, from the accounts service.',
  // One record read from its service wherever it appears.
  directives: { cost: { weight: Weight.UPSTREAM_RECORD } },
  id: { resolve: (account) => account.id },
  // node(id:) shows an account to itself and to dispatchers only.
  loadMany: (ids, ctx) =>
    loadVisible(ctx, ids, ctx.loaders.accounts, (caller, account) => mayActFor(caller, account.id)),
  fields: (t) => ({
    name: t.string({ resolve: (account, _args, ctx) => fieldOf(account, ctx, 'name') }),
    email: t.string({ resolve: (account, _args, ctx) => fieldOf(account, ctx, 'email') }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: AccountRef,
    nullable: true,
    description: 'The caller, from the bearer token. Null without a valid token.',
    resolve: (_root, _args, ctx) => {
      // No token: no viewer. A token that could not be checked: an error, not "logged out".
      if (ctx.callerUnavailable) throw noCaller(ctx);
      return ctx.caller === null ? null : { id: ctx.caller.accountId };
    },
  }),
);
