// drones: read-only fleet state.

import type { SeedData } from '../data.js';
import type { Route } from '../http/router.js';
import { collectionRoutes } from './collection.js';

/**
 * Telemetry moves by the second, and every dispatcher's board reads the same drones: a shared
 * cache may keep a read for one second, so boards opened together share one.
 */
export const DRONE_CACHE_CONTROL = 'public, max-age=1';

export function dronesRoutes(data: SeedData): Route[] {
  return collectionRoutes({
    path: '/v1/drones',
    noun: 'drone',
    records: () => data.drones,
    cacheControl: DRONE_CACHE_CONTROL,
  });
}
