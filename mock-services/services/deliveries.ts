// deliveries: the orders, their lists by owner and status, and the writes that move them along.

import { z } from 'zod';
import { deliveryCancelSchema, deliveryCreateSchema, deliveryPaymentSchema } from '../bodies.js';
import type { SeedData } from '../data.js';
import { insertDelivery, replaceDelivery } from '../data.js';
import { badRequest, invalidState, notFound } from '../http/errors.js';
import type { Route } from '../http/router.js';
import { validate } from '../http/validate.js';
import { idSchema, nextId } from '../ids.js';
import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus } from '../records.js';
import { collectionRoutes } from './collection.js';

/** A new delivery's eta: 45 minutes after it is created. */
export const NEW_DELIVERY_ETA_MS = 45 * 60 * 1000;

/** A delivery can be cancelled until a drone takes it. */
const CANCELLABLE: ReadonlySet<DeliveryStatus> = new Set(['CREATED', 'SCHEDULED']);

export function deliveriesRoutes(data: SeedData): Route[] {
  const find = (id: string): Delivery => {
    const delivery = data.deliveries.get(id);
    if (delivery === undefined) throw notFound(`delivery ${id} not found`);
    return delivery;
  };

  return [
    ...collectionRoutes({
      path: '/v1/deliveries',
      noun: 'delivery',
      records: () => data.deliveries,
      list: {
        order: 'desc',
        filters: z.strictObject({
          ownerId: idSchema.optional(),
          status: z.enum(DELIVERY_STATUSES).optional(),
        }),
        ids: ({ ownerId, status }) => {
          if (ownerId === undefined) {
            return status === undefined ? data.deliveryIds : data.deliveryIdsByStatus[status];
          }
          const owned = data.deliveryIdsByOwner.get(ownerId) ?? [];
          if (status === undefined) return owned;
          // An owner has tens of deliveries: filtering them is cheaper than another index.
          return owned.filter((id) => data.deliveries.get(id)?.status === status);
        },
      },
    }),
    {
      method: 'POST',
      path: '/v1/deliveries',
      handler: ({ body }) => {
        const input = validate(deliveryCreateSchema, body, 'body');
        if (!data.accounts.has(input.ownerId)) {
          throw notFound(`account ${input.ownerId} not found`);
        }
        if (!data.packages.has(input.packageId)) {
          throw notFound(`package ${input.packageId} not found`);
        }
        const newest = data.deliveries.get(data.deliveryIds.at(-1) ?? '');
        // Never before the newest delivery, so that ids keep ascending with createdAt even
        // when the clock is behind the seed's dates.
        const createdMs = Math.max(Date.now(), newest ? Date.parse(newest.createdAt) + 1 : 0);
        const delivery: Delivery = {
          id: nextId('delivery', data.deliveryIds),
          ownerId: input.ownerId,
          packageId: input.packageId,
          droneId: null,
          chargeId: null,
          status: 'SCHEDULED',
          pickup: input.pickup,
          dropoff: input.dropoff,
          createdAt: new Date(createdMs).toISOString(),
          eta: new Date(createdMs + NEW_DELIVERY_ETA_MS).toISOString(),
        };
        insertDelivery(data, delivery);
        return { status: 201, body: delivery };
      },
    },
    {
      method: 'POST',
      path: '/v1/deliveries/{id}/cancel',
      handler: ({ params, body }) => {
        validate(deliveryCancelSchema, body, 'body');
        const delivery = find(params.id ?? '');
        if (!CANCELLABLE.has(delivery.status)) {
          throw invalidState(
            `delivery ${delivery.id} is ${delivery.status}; it cannot be cancelled`,
          );
        }
        // Cancelled deliveries hold no drone and expect no arrival.
        const cancelled: Delivery = { ...delivery, status: 'CANCELLED', droneId: null, eta: null };
        replaceDelivery(data, cancelled);
        return { status: 200, body: cancelled };
      },
    },
    {
      method: 'POST',
      path: '/v1/deliveries/{id}/payment',
      handler: ({ params, body }) => {
        const { chargeId } = validate(deliveryPaymentSchema, body, 'body');
        const delivery = find(params.id ?? '');
        if (delivery.status === 'CANCELLED') {
          throw invalidState(`delivery ${delivery.id} is CANCELLED; it cannot be paid for`);
        }
        if (delivery.chargeId === chargeId) return { status: 200, body: delivery };
        if (delivery.chargeId !== null) {
          throw invalidState(`delivery ${delivery.id} is already paid by ${delivery.chargeId}`);
        }
        const charge = data.charges.get(chargeId);
        if (charge === undefined) throw notFound(`charge ${chargeId} not found`);
        if (charge.deliveryId !== delivery.id) {
          throw badRequest(`body.chargeId: charge ${chargeId} is for ${charge.deliveryId}`);
        }
        const paid: Delivery = { ...delivery, chargeId };
        replaceDelivery(data, paid);
        return { status: 200, body: paid };
      },
    },
    {
      method: 'POST',
      path: '/v1/deliveries/{id}/payment/release',
      handler: ({ params, body }) => {
        const { chargeId } = validate(deliveryPaymentSchema, body, 'body');
        const delivery = find(params.id ?? '');
        // Conditional on the charge, so a late undo never unlinks another payment; a cancelled
        // delivery keeps the charge it was refunded for, as its record.
        if (delivery.chargeId !== chargeId || delivery.status === 'CANCELLED') {
          return { status: 200, body: delivery };
        }
        const unpaid: Delivery = { ...delivery, chargeId: null };
        replaceDelivery(data, unpaid);
        return { status: 200, body: unpaid };
      },
    },
  ];
}
