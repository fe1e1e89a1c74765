import { z } from 'zod';
import { write } from './refusals.js';
import type { Saga } from './saga.js';

const CancelInput = z.object({ deliveryId: z.string().min(1) });
export type CancelInput = z.infer<typeof CancelInput>;

/**
 * cancelDelivery: cancel → refund, with the cancel as the pivot.
 *
 * | step | writes | on failure |
 * | --- | --- | --- |
 * | cancel | CANCELLED at deliveries, refused once a drone took it; answers the linked charge | refused: nothing changed |
 * | refund | the linked charge's money back (or its authorization released) | retried until done, by the client or the completer |
 *
 * A cancel cannot be undone, so once it is done the saga only goes forward: the money comes
 * back whether or not the client is still there. A payment still in flight for the delivery
 * either finds it cancelled (and releases its own charge) or had linked its charge, which this
 * refund releases before it can be captured.
 */
export const cancelDelivery: Saga<CancelInput> = {
  name: 'cancelDelivery',
  input: CancelInput,
  async run({ input, steps, key, upstreams, wrote }) {
    const chargeId = await steps.step('cancel', async () => {
      const cancelled = await write('The delivery', () =>
        upstreams.deliveries.cancel(input.deliveryId, key('cancel')),
      );
      wrote.delivery(cancelled);
      return cancelled.chargeId ?? '';
    });
    if (chargeId !== '') {
      await steps.step('refund', async () => {
        const refunded = await write('The charge', () =>
          upstreams.payments.refund(chargeId, key('refund')),
        );
        wrote.charge(refunded);
        return refunded.status;
      });
    }
    return { deliveryId: input.deliveryId };
  },
};
