// drones: read-only fleet state.

import type { SeedData } from '../data.js';
import type { Route } from '../http/router.js';
import { collectionRoutes } from './collection.js';

export function dronesRoutes(data: SeedData): Route[] {
  return collectionRoutes({ path: '/v1/drones', noun: 'drone', records: () => data.drones });
}
