// payments: charges for deliveries, authorized then captured, and refunded.
//
// A charge made with `capture: false` is an authorization: PENDING, holding no money. Capture
// takes the money (SUCCEEDED); refund gives it back (REFUNDED), or releases an authorization
// that was never captured (REFUNDED too, as Stripe marks a released uncaptured charge). The
// two are ordered on the charge itself: once refunded, a capture is refused, so a saga that
// authorizes, links the charge to its delivery and only then captures can always be undone
// by a refund, whichever of capture and refund comes first.

import { z } from 'zod';
import { chargeActionSchema, chargeCreateSchema } from '../bodies.js';
import type { SeedData } from '../data.js';
import { insertCharge, replaceCharge } from '../data.js';
import { invalidState, notFound } from '../http/errors.js';
import type { Route } from '../http/router.js';
import { validate } from '../http/validate.js';
import { idSchema, nextId } from '../ids.js';
import type { Charge } from '../records.js';
import { collectionRoutes } from './collection.js';

export function paymentsRoutes(data: SeedData): Route[] {
  const find = (id: string): Charge => {
    const charge = data.charges.get(id);
    if (charge === undefined) throw notFound(`charge ${id} not found`);
    return charge;
  };
  /** The delivery's captured charge other than `except`, if any: one delivery, one payment. */
  const capturedFor = (deliveryId: string, except?: string): string | undefined =>
    (data.chargeIdsByDelivery.get(deliveryId) ?? []).find(
      (id) => id !== except && data.charges.get(id)?.status === 'SUCCEEDED',
    );

  return [
    ...collectionRoutes({
      path: '/v1/charges',
      noun: 'charge',
      records: () => data.charges,
      list: {
        order: 'desc',
        filters: z.strictObject({ deliveryId: idSchema.optional() }),
        ids: ({ deliveryId }) =>
          deliveryId === undefined
            ? data.chargeIds
            : (data.chargeIdsByDelivery.get(deliveryId) ?? []),
      },
    }),
    {
      method: 'POST',
      path: '/v1/charges',
      handler: ({ body }) => {
        const { capture, ...input } = validate(chargeCreateSchema, body, 'body');
        if (!data.deliveries.has(input.deliveryId)) {
          throw notFound(`delivery ${input.deliveryId} not found`);
        }
        const paid = capturedFor(input.deliveryId);
        if (paid !== undefined) {
          throw invalidState(`delivery ${input.deliveryId} already has succeeded charge ${paid}`);
        }
        const charge: Charge = {
          id: nextId('charge', data.chargeIds),
          ...input,
          status: capture ? 'SUCCEEDED' : 'PENDING',
          amountRefundedCents: 0,
          createdAt: new Date().toISOString(),
        };
        insertCharge(data, charge);
        return { status: 201, body: charge };
      },
    },
    {
      method: 'POST',
      path: '/v1/charges/{id}/capture',
      handler: ({ params, body }) => {
        validate(chargeActionSchema, body, 'body');
        const charge = find(params.id ?? '');
        if (charge.status === 'SUCCEEDED') return { status: 200, body: charge };
        if (charge.status !== 'PENDING') {
          throw invalidState(`charge ${charge.id} is ${charge.status}; it cannot be captured`);
        }
        const paid = capturedFor(charge.deliveryId, charge.id);
        if (paid !== undefined) {
          throw invalidState(`delivery ${charge.deliveryId} already has succeeded charge ${paid}`);
        }
        const captured: Charge = { ...charge, status: 'SUCCEEDED' };
        replaceCharge(data, captured);
        return { status: 200, body: captured };
      },
    },
    {
      method: 'POST',
      path: '/v1/charges/{id}/refund',
      handler: ({ params, body }) => {
        validate(chargeActionSchema, body, 'body');
        const charge = find(params.id ?? '');
        // Nothing to give back from a refunded or declined charge: answered as it is.
        if (charge.status === 'REFUNDED' || charge.status === 'FAILED') {
          return { status: 200, body: charge };
        }
        const refunded: Charge = {
          ...charge,
          status: 'REFUNDED',
          amountRefundedCents: charge.amountCents,
        };
        replaceCharge(data, refunded);
        return { status: 200, body: refunded };
      },
    },
  ];
}
