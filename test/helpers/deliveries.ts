import { randomUUID } from 'node:crypto';
import type { Harness } from './harness.js';
import { operation } from './operations.js';

/** Schedules a delivery through the BFF as `token`'s account, as the app does: its answer. */
export function scheduleDeliveryAnswer(harness: Harness, token: string) {
  return harness.graphql<{ scheduleDelivery: { delivery: { id: string } } }>(
    operation('ScheduleDelivery'),
    {
      token,
      variables: {
        input: {
          idempotencyKey: randomUUID(),
          pickup: { lat: 52.5, lng: 13.4 },
          dropoff: { lat: 52.4, lng: 13.3 },
          package: { size: 'MEDIUM', weightKg: 3 },
        },
      },
    },
  );
}

/** Schedules a delivery through the BFF as `token`'s account, as the app does; its global id. */
export async function scheduleDelivery(harness: Harness, token: string): Promise<string> {
  const { body } = await scheduleDeliveryAnswer(harness, token);
  const id = body.data?.scheduleDelivery.delivery.id;
  if (!id) throw new Error(`could not schedule: ${JSON.stringify(body.errors)}`);
  return id;
}
