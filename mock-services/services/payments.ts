// payments: charges for deliveries.

import { z } from 'zod';
import { chargeCreateSchema } from '../bodies.js';
import type { SeedData } from '../data.js';
import { insertCharge } from '../data.js';
import { invalidState, notFound } from '../http/errors.js';
import type { Route } from '../http/router.js';
import { validate } from '../http/validate.js';
import { idSchema, nextId } from '../ids.js';
import type { Charge } from '../records.js';
import { collectionRoutes } from './collection.js';

export function paymentsRoutes(data: SeedData): Route[] {
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
        const input = validate(chargeCreateSchema, body, 'body');
        if (!data.deliveries.has(input.deliveryId)) {
          throw notFound(`delivery ${input.deliveryId} not found`);
        }
        const paid = (data.chargeIdsByDelivery.get(input.deliveryId) ?? []).find(
          (id) => data.charges.get(id)?.status === 'SUCCEEDED',
        );
        if (paid !== undefined) {
          throw invalidState(`delivery ${input.deliveryId} already has succeeded charge ${paid}`);
        }
        const charge: Charge = {
          id: nextId('charge', data.chargeIds),
          ...input,
          status: 'SUCCEEDED',
          createdAt: new Date().toISOString(),
        };
        insertCharge(data, charge);
        return { status: 201, body: charge };
      },
    },
  ];
}
