import type DataLoader from 'dataloader';
import type { GraphQLError } from 'graphql';
import { mayActFor } from '../auth/caller.js';
import type { Context } from '../context.js';
import { invalidState, notFound } from '../errors.js';
import type { Outcome, Steps } from '../idempotency/index.js';
import { upstreamIdempotencyKey } from '../idempotency/keys.js';
import type { StoredOutcome } from '../idempotency/store.js';
import {
  cancelDelivery,
  payForDelivery,
  type ResumeData,
  type Saga,
  scheduleDelivery,
} from '../sagas/index.js';
import { paymentRefused } from '../sagas/refusals.js';
import type { ChargeRecord, DeliveryRecord } from '../upstreams/records.js';
import { requireCaller } from './authorize.js';
import { builder } from './builder.js';
import { ChargeRef } from './charge.js';
import { DeliveryRef } from './delivery.js';
import { serviceIdOf } from './global-id.js';
import { LocationInput } from './location.js';
import { checkAmount, checkIdempotencyKey, checkLocation, checkPackage } from './mutation-input.js';
import { PackageInput } from './package.js';

/**
 * The three mutations of the contract. Each checks its input first (bad input stores and
 * changes nothing), then the caller's right and the state it needs, then runs its saga
 * (src/sagas) once per idempotency key through `ctx.idempotency`: its steps are recovery
 * points, and each writes upstream with its own `Idempotency-Key` derived from the client's,
 * so a retry resumes where the first attempt stopped and never writes twice, and the
 * completer can finish it if the client never comes back. The payload is resolved from the
 * ids the saga produced, so a replay that selects other fields still answers them, from the
 * services' current state.
 */

const idempotencyKeyField = {
  required: true,
  description:
    'Client-made key (a UUID, say). A retry with the same key and the same input returns the first result; the same key with other input is refused.',
} as const;

interface Checks {
  /**
   * The caller's right, on every request, before the key is even looked up: a caller who may
   * not act on the delivery neither starts, nor takes over, nor replays, nor ends the record of
   * another token of the same account (its refusal is stored nowhere).
   */
  authorize?: () => Promise<void>;
  /**
   * The state the saga needs, on its first attempt only. A later attempt (a retry taking over,
   * a resume after an outage) is not refused for the state: an earlier attempt may have
   * written upstream, and the saga must go on to finish or undo it.
   */
  before?: () => Promise<void>;
  /** Before a stored outcome is replayed: what is true now. */
  recheck?: (stored: StoredOutcome) => Promise<void>;
}

/** Runs `saga` once per (caller, mutation, key) and input, for this request. */
async function runSaga<I>(
  ctx: Context,
  saga: Saga<I>,
  clientKey: string,
  input: I,
  checks: Checks = {},
): Promise<Outcome> {
  const caller = requireCaller(ctx);
  const scope = {
    callerId: caller.accountId,
    mutation: saga.name,
    clientKey: checkIdempotencyKey(clientKey),
  };
  const resume: ResumeData = {
    v: 1,
    saga: saga.name,
    // Only what the completer needs: no name or other claim of the token goes into the store.
    caller: { accountId: caller.accountId, role: caller.role },
    clientKey,
    input,
  };
  await checks.authorize?.();
  return ctx.idempotency.run(
    scope,
    { input, resume: JSON.stringify(resume) },
    async (steps: Steps) => {
      if (steps.fresh) await checks.before?.();
      const outcome = await saga.run({
        input,
        steps,
        key: (step) => upstreamIdempotencyKey(scope, step),
        upstreams: ctx.upstreams,
        withClient: true,
        compensated: () => ctx.sagaEvents.compensated(saga.name),
        wrote: {
          delivery: (record) => remember(ctx, record),
          charge: (record) => ctx.loaders.charges.clear(record.id).prime(record.id, record),
          package: (record) => ctx.loaders.packages.prime(record.id, record),
        },
      });
      ctx.sagaEvents.record(saga.name, 'completed');
      return outcome;
    },
    { recheck: checks.recheck, budget: ctx.scope },
  );
}

/**
 * The delivery a mutation names, if it exists and the caller may change it. Another
 * account's delivery is NOT_FOUND too, word for word: a caller cannot tell "not yours" from
 * "not there", so ids cannot be probed for what exists.
 */
async function deliveryToChange(
  ctx: Context,
  id: string,
  notThere: () => GraphQLError = () => notFound('The delivery'),
): Promise<DeliveryRecord> {
  const caller = requireCaller(ctx);
  const delivery = await ctx.loaders.deliveries.load(id);
  if (delivery === null || !mayActFor(caller, delivery.ownerId)) throw notThere();
  return delivery;
}

/** payForDelivery's answer for a delivery that is not there (or not the caller's). */
const noDeliveryToPay = () => paymentRefused(notFound('The delivery'));

/** After a write, the request's loaders must answer with the new state, not the old. */
function remember(ctx: Context, delivery: DeliveryRecord): void {
  ctx.loaders.deliveries.clear(delivery.id).prime(delivery.id, delivery);
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

      const outcome = await runSaga(ctx, scheduleDelivery, input.idempotencyKey, {
        ownerId: caller.accountId,
        pickup,
        dropoff,
        package: pkg,
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

      const payment = {
        deliveryId,
        amountCents: input.amountCents,
        currency: input.currency,
      };
      const outcome = await runSaga(ctx, payForDelivery, input.idempotencyKey, payment, {
        authorize: async () => void (await deliveryToChange(ctx, deliveryId, noDeliveryToPay)),
        before: async () => {
          const delivery = await deliveryToChange(ctx, deliveryId, noDeliveryToPay);
          if (delivery.status === 'CANCELLED') {
            throw paymentRefused(invalidState('A cancelled delivery cannot be paid for.'));
          }
          if (delivery.chargeId !== null) {
            throw paymentRefused(invalidState('The delivery is already paid for.'));
          }
        },
        recheck: async (stored) => {
          const delivery = await deliveryToChange(ctx, deliveryId, noDeliveryToPay);
          // A refusal is replayed as what is true now: a delivery paid by another payment
          // then may have been cancelled (and its payment refunded) since.
          if (stored.kind === 'refusal' && delivery.status === 'CANCELLED') {
            throw paymentRefused(
              invalidState('The delivery is cancelled; this payment keeps no money.'),
            );
          }
        },
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
      const outcome = await runSaga(
        ctx,
        cancelDelivery,
        input.idempotencyKey,
        { deliveryId },
        {
          authorize: async () => void (await deliveryToChange(ctx, deliveryId)),
        },
      );
      return { delivery: await produced(ctx.loaders.deliveries, outcome.deliveryId) };
    },
  }),
);
