import { mayActFor } from '../auth/caller.js';
import { Weight } from '../cost/directives.js';
import type { AccountRecord } from '../upstreams/records.js';
import { loadVisible, noCaller } from './authorize.js';
import { builder } from './builder.js';

export const AccountRef = builder.objectRef<AccountRecord>('Account');

builder.node(AccountRef, {
  description: 'A customer or dispatcher account, from the accounts service.',
  // One record read from its service wherever it appears.
  directives: { cost: { weight: Weight.UPSTREAM_RECORD } },
  id: { resolve: (account) => account.id },
  // node(id:) shows an account to itself and to dispatchers only.
  loadMany: (ids, ctx) =>
    loadVisible(ctx, ids, ctx.loaders.accounts, (caller, account) => mayActFor(caller, account.id)),
  fields: (t) => ({
    name: t.exposeString('name'),
    email: t.exposeString('email'),
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
      return ctx.caller === null ? null : ctx.loaders.accounts.load(ctx.caller.accountId);
    },
  }),
);
