import type { GraphQLError } from 'graphql';
import { z } from 'zod';
import { invalidState, notFound } from '../errors.js';
import type { Outcome } from '../idempotency/index.js';
import { isDomainRefusal, paymentRefused } from './refusals.js';
import type { Saga, SagaRun } from './saga.js';

const PayInput = z.object({
  deliveryId: z.string().min(1),
  amountCents: z.number().int().positive(),
  currency: z.string().length(3),
});
export type PayInput = z.infer<typeof PayInput>;

/**
 * payForDelivery: authorize → link → capture, with capture as the pivot.
 *
 * | step | writes | undone by |
 * | --- | --- | --- |
 * | authorize | a PENDING charge at payments (no money taken) | release: refund, which frees it |
 * | link | the delivery's chargeId at deliveries; refused once CANCELLED or paid by another charge | unlink, only if still this charge |
 * | capture | SUCCEEDED: the money is taken; refused once the charge was released | (pivot: never undone here; a cancel refunds it) |
 *
 * Deliveries orders link against cancel (a cancelled delivery takes no charge; a cancel of a
 * linked one refunds that charge), and payments orders capture against refund (a released
 * charge cannot be captured), so whichever way a pay and a cancel interleave, money is taken
 * only for a delivery that is not cancelled, or given back.
 *
 * Before the pivot, every way out that is not a charge undoes the steps: a refusal, and a run
 * by the completer (the client was told an error, or nothing, and an error means not paid).
 */
export const payForDelivery: Saga<PayInput> = {
  name: 'payForDelivery',
  input: PayInput,
  async run(run) {
    const { input, steps, key, upstreams, wrote } = run;
    if (steps.done('release') !== undefined || (!run.withClient && !steps.done('capture'))) {
      return undo(run, () =>
        invalidState(
          'This payment was not finished and has been released; no money was kept. Pay again with a new idempotencyKey.',
        ),
      );
    }
    const chargeId = await steps.step('authorize', async () => {
      try {
        const charge = await upstreams.payments.authorize(input, key('authorize'));
        wrote.charge(charge);
        return charge.id;
      } catch (error) {
        // Payments takes no second payment for a delivery: nothing was written.
        if (isDomainRefusal(error)) {
          throw error.upstreamCode === 'NOT_FOUND'
            ? paymentRefused(notFound('The delivery'))
            : paymentRefused(invalidState('The delivery is already paid for.'));
        }
        throw error;
      }
    });
    const linked = await steps.step('link', async () => {
      try {
        wrote.delivery(
          await upstreams.deliveries.markPaid(input.deliveryId, chargeId, key('link')),
        );
        return 'linked';
      } catch (error) {
        if (isDomainRefusal(error)) return `refused:${error.upstreamCode}`;
        throw error;
      }
    });
    if (linked !== 'linked') {
      return undo(run, () =>
        linked === 'refused:NOT_FOUND'
          ? notFound('The delivery')
          : invalidState(
              'The delivery was cancelled or paid for by another payment meanwhile; this payment was released and no money was kept.',
            ),
      );
    }
    const captured = await steps.step('capture', async () => {
      try {
        wrote.charge(await upstreams.payments.capture(chargeId, key('capture')));
        return 'captured';
      } catch (error) {
        // Only a release makes payments refuse: a cancel refunded the linked charge first.
        if (isDomainRefusal(error)) return 'refused';
        throw error;
      }
    });
    if (captured !== 'captured') {
      return undo(run, () =>
        invalidState('The delivery was cancelled while it was being paid for; no money was kept.'),
      );
    }
    return { chargeId, deliveryId: input.deliveryId };
  },
};

/**
 * The compensation: learn the charge (the authorize step's answer, or the same call replayed
 * by its key: payments answers the stored charge, or makes one that is released at once),
 * release it, and unlink it from the delivery if it is still linked there. Ends in a refusal
 * that says no money was kept, which is stored and replayed.
 */
async function undo(run: SagaRun<PayInput>, refusal: () => GraphQLError): Promise<Outcome> {
  const { input, steps, key, upstreams, wrote } = run;
  let chargeId = steps.done('authorize');
  if (chargeId === undefined) {
    try {
      chargeId = (await upstreams.payments.authorize(input, key('authorize'))).id;
    } catch (error) {
      // Payments refuses to authorize at all: nothing of this payment exists to undo.
      if (isDomainRefusal(error)) throw paymentRefused(refusal());
      throw error;
    }
  }
  const released = chargeId;
  await steps.step('release', async () => {
    const charge = await upstreams.payments.refund(released, key('release'));
    wrote.charge(charge);
    return charge.status;
  });
  await steps.step('unlink', async () => {
    const delivery = await upstreams.deliveries.unlinkPayment(
      input.deliveryId,
      released,
      key('unlink'),
    );
    wrote.delivery(delivery);
    return delivery.chargeId ?? '';
  });
  run.compensated();
  throw paymentRefused(refusal());
}
