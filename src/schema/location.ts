import { Weight } from '../cost/directives.js';
import type { Location } from '../upstreams/records.js';
import { builder } from './builder.js';

export const LocationRef = builder.objectRef<Location>('Location').implement({
  description: 'A point on the map (WGS 84 degrees).',
  // Part of the record that holds it: reading it asks no upstream.
  directives: { cost: { weight: Weight.LOCAL } },
  fields: (t) => ({
    lat: t.exposeFloat('lat'),
    lng: t.exposeFloat('lng'),
  }),
});

export const LocationInput = builder.inputType('LocationInput', {
  fields: (t) => ({
    lat: t.float({ required: true }),
    lng: t.float({ required: true }),
  }),
});
