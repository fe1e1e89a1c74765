import { mayActFor } from '../auth/caller.js';
import type { Context } from '../context.js';
import { upstreamIdempotencyKey } from '../idempotency/upstream-key.js';
import { isUpstreamError, UpstreamRejectedError } from '../upstreams/errors.js';
import type { ChargeRecord, DeliveryRecord } from '../upstreams/records.js';
import { requireCaller } from './authorize.js';
import { builder } from './builder.js';
import { ChargeRef } from './charge.js';
import { DeliveryRef } from './delivery.js';
import { forbidden, fromRejection, invalidState, notFound, upstreamError } from './errors.js';
import { serviceIdOf } from './global-id.js';
import { LocationInput } from './location.js';
import { checkAmount, checkIdempotencyKey, checkLocation, checkPackage } from './mutation-input.js';
import { PackageInput } from './package.js';

/**
 * The three mutations of the contract. Each checks its input first, then writes through the
 * services with an `Idempotency-Key` per step derived from the client's key, so a retried
 * mutation replays at the services instead of writing twice.
 */

const idempotencyKeyField = {
  required: true,
  description:
    'Client-made key (a UUID, say). A retry with the same key and the same input returns the first result; the same key with other input is refused.',
} as const;

/** Turns a service's coded refusal into the contract's error, and an outage into its code. */
async function write<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof UpstreamRejectedError) throw fromRejection(error, what);
    throw isUpstreamError(error) ? upstreamError(error) : error;
  }
}

/** The delivery a mutation names, if it exists and the caller may change it. */
async function deliveryToChange(ctx: Context, globalId: string): Promise<DeliveryRecord> {
  const caller = requireCaller(ctx);
  const id = serviceIdOf(globalId, 'Delivery');
  const delivery = await ctx.loaders.deliveries.load(id);
  if (delivery === null) throw notFound('The delivery');
  if (!mayActFor(caller, delivery.ownerId)) throw forbidden("Another account's delivery.");
  return delivery;
}

function keyFor(ctx: Context, mutation: string, clientKey: string) {
  const callerId = requireCaller(ctx).accountId;
  return (step: string) => upstreamIdempotencyKey({ callerId, mutation, clientKey }, step);
}

/** After a write, the request's loaders must answer with the new state, not the old. */
function remember(ctx: Context, delivery: DeliveryRecord): DeliveryRecord {
  ctx.loaders.deliveries.clear(delivery.id).prime(delivery.id, delivery);
  return delivery;
}

// scheduleDelivery ---------------------------------------------------------------------------

const ScheduleDeliveryInput = builder.inputType('ScheduleDeliveryInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    pickup: t.field({ type: LocationInput, required: true }),
    dropoff: t.field({ type: LocationInput, required: true }),
    package: t.field({ type: PackageInput, required: true }),
  }),
});

const ScheduleDeliveryPayload = builder
  .objectRef<{ delivery: DeliveryRecord }>('ScheduleDeliveryPayload')
  .implement({
    fields: (t) => ({ delivery: t.field({ type: DeliveryRef, resolve: (p) => p.delivery }) }),
  });

builder.mutationField('scheduleDelivery', (t) =>
  t.field({
    type: ScheduleDeliveryPayload,
    args: { input: t.arg({ type: ScheduleDeliveryInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const caller = requireCaller(ctx);
      const clientKey = checkIdempotencyKey(input.idempotencyKey);
      const pickup = checkLocation(input.pickup, 'pickup');
      const dropoff = checkLocation(input.dropoff, 'dropoff');
      checkPackage(input.package);
      const key = keyFor(ctx, 'scheduleDelivery', clientKey);

      const pkg = await write('The package', () =>
        ctx.upstreams.packages.create(
          {
            size: input.package.size,
            weightKg: input.package.weightKg,
            tag: input.package.tag ?? null,
          },
          key('package'),
          ctx.call,
        ),
      );
      ctx.loaders.packages.prime(pkg.id, pkg);
      const delivery = await write('The delivery', () =>
        ctx.upstreams.deliveries.create(
          { ownerId: caller.accountId, packageId: pkg.id, pickup, dropoff },
          key('delivery'),
          ctx.call,
        ),
      );
      return { delivery: remember(ctx, delivery) };
    },
  }),
);

// payForDelivery -----------------------------------------------------------------------------

const PayForDeliveryInput = builder.inputType('PayForDeliveryInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    deliveryId: t.id({ required: true }),
    amountCents: t.int({ required: true }),
    currency: t.string({ required: true }),
  }),
});

const PayForDeliveryPayload = builder
  .objectRef<{ charge: ChargeRecord; delivery: DeliveryRecord }>('PayForDeliveryPayload')
  .implement({
    fields: (t) => ({
      charge: t.field({ type: ChargeRef, resolve: (p) => p.charge }),
      delivery: t.field({ type: DeliveryRef, resolve: (p) => p.delivery }),
    }),
  });

builder.mutationField('payForDelivery', (t) =>
  t.field({
    type: PayForDeliveryPayload,
    args: { input: t.arg({ type: PayForDeliveryInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      requireCaller(ctx);
      const clientKey = checkIdempotencyKey(input.idempotencyKey);
      checkAmount(input.amountCents, input.currency);
      const delivery = await deliveryToChange(ctx, input.deliveryId);
      if (delivery.status === 'CANCELLED')
        throw invalidState('A cancelled delivery cannot be paid for.');
      const key = keyFor(ctx, 'payForDelivery', clientKey);

      // Two steps, each with its own key: a retry after a failure between them replays the
      // charge at payments (no second charge) and then completes the second step.
      const charge = await write('The delivery', () =>
        ctx.upstreams.payments.create(
          { deliveryId: delivery.id, amountCents: input.amountCents, currency: input.currency },
          key('charge'),
          ctx.call,
        ),
      );
      ctx.loaders.charges.prime(charge.id, charge);
      const paid = await write('The delivery', () =>
        ctx.upstreams.deliveries.markPaid(delivery.id, charge.id, key('payment'), ctx.call),
      );
      return { charge, delivery: remember(ctx, paid) };
    },
  }),
);

// cancelDelivery -----------------------------------------------------------------------------

const CancelDeliveryInput = builder.inputType('CancelDeliveryInput', {
  fields: (t) => ({
    idempotencyKey: t.string(idempotencyKeyField),
    deliveryId: t.id({ required: true }),
  }),
});

const CancelDeliveryPayload = builder
  .objectRef<{ delivery: DeliveryRecord }>('CancelDeliveryPayload')
  .implement({
    fields: (t) => ({ delivery: t.field({ type: DeliveryRef, resolve: (p) => p.delivery }) }),
  });

builder.mutationField('cancelDelivery', (t) =>
  t.field({
    type: CancelDeliveryPayload,
    args: { input: t.arg({ type: CancelDeliveryInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      requireCaller(ctx);
      const clientKey = checkIdempotencyKey(input.idempotencyKey);
      const delivery = await deliveryToChange(ctx, input.deliveryId);
      const key = keyFor(ctx, 'cancelDelivery', clientKey);
      const cancelled = await write('The delivery', () =>
        ctx.upstreams.deliveries.cancel(delivery.id, key('cancel'), ctx.call),
      );
      return { delivery: remember(ctx, cancelled) };
    },
  }),
);
