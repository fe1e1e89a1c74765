import { Weight } from '../cost/directives.js';
import { DRONE_STATUSES, type DroneRecord } from '../upstreams/records.js';
import { loadVisible } from './authorize.js';
import { builder } from './builder.js';
import { LocationRef } from './location.js';

export const DroneStatusEnum = builder.enumType('DroneStatus', { values: DRONE_STATUSES });

export const DroneRef = builder.objectRef<DroneRecord>('Drone');

builder.node(DroneRef, {
  description: 'A drone of the fleet, from the drones service.',
  // One record read from its service wherever it appears.
  directives: { cost: { weight: Weight.UPSTREAM_RECORD } },
  id: { resolve: (drone) => drone.id },
  // The fleet is no one's personal data: any signed-in caller may look a drone up.
  loadMany: (ids, ctx) => loadVisible(ctx, ids, ctx.loaders.drones, () => true),
  fields: (t) => ({
    model: t.exposeString('model'),
    status: t.expose('status', { type: DroneStatusEnum }),
    batteryPct: t.exposeInt('batteryPct'),
    location: t.expose('location', { type: LocationRef }),
  }),
});
