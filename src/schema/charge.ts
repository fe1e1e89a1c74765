import { mayActFor } from '../auth/caller.js';
import { Weight } from '../cost/directives.js';
import { CHARGE_STATUSES, type ChargeRecord } from '../upstreams/records.js';
import { loadVisible } from './authorize.js';
import { builder } from './builder.js';

export const ChargeStatusEnum = builder.enumType('ChargeStatus', { values: CHARGE_STATUSES });

export const ChargeRef = builder.objectRef<ChargeRecord>('Charge');

builder.node(ChargeRef, {
  description: 'A payment for a delivery, from the payments service.',
  // One record read from its service wherever it appears.
  directives: { cost: { weight: Weight.UPSTREAM_RECORD } },
  id: { resolve: (charge) => charge.id },
  // A charge is as private as the delivery it paid for.
  loadMany: (ids, ctx) =>
    loadVisible(ctx, ids, ctx.loaders.charges, async (caller, charge) => {
      const delivery = await ctx.loaders.deliveries.load(charge.deliveryId);
      return delivery !== null && mayActFor(caller, delivery.ownerId);
    }),
  fields: (t) => ({
    amountCents: t.exposeInt('amountCents'),
    currency: t.exposeString('currency'),
    status: t.expose('status', { type: ChargeStatusEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
