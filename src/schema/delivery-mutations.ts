import type DataLoader from 'dataloader';
import { mayActFor } from '../auth/caller.js';
import type { Context } from '../context.js';
import type { Outcome, Steps } from '../idempotency/index.js';
import { upstreamIdempotencyKey } from '../idempotency/keys.js';
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
 * The three mutations of the contract. Each checks its input first (bad input stores and
 * changes nothing), then runs once per idempotency key through `ctx.idempotency`: its steps
 * are recovery points, and each writes upstream with its own `Idempotency-Key` derived from
 * the client's, so a retry resumes where the first attempt stopped and never writes twice.
 * The payload is resolved from the ids the mutation produced, so a replay that selects other
 * fields still answers them, from the services' current state.
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

/** Runs `body` once per (caller, mutation, key) and input; it gets its steps and upstream keys. */
function idempotent(
  ctx: Context,
  mutation: string,
  input: { idempotencyKey: string },
  body: (steps: Steps, upstreamKey: (step: string) => string) => Promise<Outcome>,
): Promise<Outcome> {
  const scope = {
    callerId: requireCaller(ctx).accountId,
    mutation,
    clientKey: checkIdempotencyKey(input.idempotencyKey),
  };
  const { idempotencyKey: _key, ...fingerprinted } = input;
  return ctx.idempotency.run(scope, fingerprinted, (steps) =>
    body(steps, (step) => upstreamIdempotencyKey(scope, step)),
  );
}

/** The delivery a mutation names, if it exists and the caller may change it. */
async function deliveryToChange(ctx: Context, id: string): Promise<DeliveryRecord> {
  const caller = requireCaller(ctx);
  const delivery = await ctx.loaders.deliveries.load(id);
  if (delivery === null) throw notFound('The delivery');
  if (!mayActFor(caller, delivery.ownerId)) throw forbidden("Another account's delivery.");
  return delivery;
}

/** After a write, the request's loaders must answer with the new state, not the old. */
function remember(ctx: Context, delivery: DeliveryRecord): string {
  ctx.loaders.deliveries.clear(delivery.id).prime(delivery.id, delivery);
  return delivery.id;
}

/** A record a mutation produced, read through the request's loaders (primed on first run). */
async function produced<T>(
  loader: DataLoader<string, T | null>,
  id: string | undefined,
): Promise<T> {
  const record = id === undefined ? null : await loader.load(id);
  if (record === null) throw notFound('The record this mutation produced');
  return record;
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
      const pickup = checkLocation(input.pickup, 'pickup');
      const dropoff = checkLocation(input.dropoff, 'dropoff');
      checkPackage(input.package);
      const pkg = {
        size: input.package.size,
        weightKg: input.package.weightKg,
        tag: input.package.tag ?? null,
      };

      const outcome = await idempotent(ctx, 'scheduleDelivery', input, async (steps, key) => {
        const packageId = await steps.step('package', async () => {
          const created = await write('The package', () =>
            ctx.upstreams.packages.create(pkg, key('package'), ctx.call),
          );
          ctx.loaders.packages.prime(created.id, created);
          return created.id;
        });
        const deliveryId = await steps.step('delivery', async () =>
          remember(
            ctx,
            await write('The delivery', () =>
              ctx.upstreams.deliveries.create(
                { ownerId: caller.accountId, packageId, pickup, dropoff },
                key('delivery'),
                ctx.call,
              ),
            ),
          ),
        );
        return { deliveryId };
      });
      return { delivery: await produced(ctx.loaders.deliveries, outcome.deliveryId) };
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
      checkAmount(input.amountCents, input.currency);
      const deliveryId = serviceIdOf(input.deliveryId, 'Delivery');

      const outcome = await idempotent(ctx, 'payForDelivery', input, async (steps, key) => {
        const delivery = await deliveryToChange(ctx, deliveryId);
        if (delivery.status === 'CANCELLED') {
          throw invalidState('A cancelled delivery cannot be paid for.');
        }
        // Two steps: a retry after a failure between them finds the charge recorded and goes
        // straight to the second; the charge's own key makes payments replay it regardless.
        const chargeId = await steps.step('charge', async () => {
          const charge = await write('The delivery', () =>
            ctx.upstreams.payments.create(
              { deliveryId, amountCents: input.amountCents, currency: input.currency },
              key('charge'),
              ctx.call,
            ),
          );
          ctx.loaders.charges.prime(charge.id, charge);
          return charge.id;
        });
        await steps.step('payment', async () =>
          remember(
            ctx,
            await write('The delivery', () =>
              ctx.upstreams.deliveries.markPaid(deliveryId, chargeId, key('payment'), ctx.call),
            ),
          ),
        );
        return { chargeId, deliveryId };
      });
      return {
        charge: await produced(ctx.loaders.charges, outcome.chargeId),
        delivery: await produced(ctx.loaders.deliveries, outcome.deliveryId),
      };
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
      const deliveryId = serviceIdOf(input.deliveryId, 'Delivery');
      const outcome = await idempotent(ctx, 'cancelDelivery', input, async (steps, key) => {
        await deliveryToChange(ctx, deliveryId);
        await steps.step('cancel', async () =>
          remember(
            ctx,
            await write('The delivery', () =>
              ctx.upstreams.deliveries.cancel(deliveryId, key('cancel'), ctx.call),
            ),
          ),
        );
        return { deliveryId };
      });
      return { delivery: await produced(ctx.loaders.deliveries, outcome.deliveryId) };
    },
  }),
);
