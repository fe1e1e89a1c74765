import { z } from 'zod';
import { write } from './refusals.js';
import type { Saga } from './saga.js';

const LocationInput = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

const ScheduleInput = z.object({
  ownerId: z.string().min(1),
  pickup: LocationInput,
  dropoff: LocationInput,
  package: z.object({
    size: z.enum(['SMALL', 'MEDIUM', 'LARGE']),
    weightKg: z.number(),
    tag: z.string().nullable(),
  }),
});
export type ScheduleInput = z.infer<typeof ScheduleInput>;

/**
 * scheduleDelivery: register the package, then the delivery that carries it. Both steps only
 * create, so the saga always goes forward, with its client or without: a package left without
 * a delivery would cost nothing, but a retry finds it recorded and uses it.
 */
export const scheduleDelivery: Saga<ScheduleInput> = {
  name: 'scheduleDelivery',
  input: ScheduleInput,
  async run({ input, steps, key, upstreams, wrote }) {
    const packageId = await steps.step('package', async () => {
      const created = await write('The package', () =>
        upstreams.packages.create(input.package, key('package')),
      );
      wrote.package(created);
      return created.id;
    });
    const deliveryId = await steps.step('delivery', async () => {
      const created = await write('The delivery', () =>
        upstreams.deliveries.create(
          { ownerId: input.ownerId, packageId, pickup: input.pickup, dropoff: input.dropoff },
          key('delivery'),
        ),
      );
      wrote.delivery(created);
      return created.id;
    });
    return { deliveryId };
  },
};
