// packages: what a delivery carries.

import { packageCreateSchema } from '../bodies.js';
import type { SeedData } from '../data.js';
import { insertPackage } from '../data.js';
import type { Route } from '../http/router.js';
import { validate } from '../http/validate.js';
import { nextId } from '../ids.js';
import type { Package } from '../records.js';
import { collectionRoutes } from './collection.js';

/** A package is never changed once created: its reads may be cached for five minutes. */
export const PACKAGE_CACHE_CONTROL = 'public, max-age=300';

export function packagesRoutes(data: SeedData): Route[] {
  return [
    ...collectionRoutes({
      path: '/v1/packages',
      noun: 'package',
      records: () => data.packages,
      cacheControl: PACKAGE_CACHE_CONTROL,
    }),
    {
      method: 'POST',
      path: '/v1/packages',
      handler: ({ body }) => {
        const input = validate(packageCreateSchema, body, 'body');
        const pkg: Package = { id: nextId('package', data.packageIds), ...input };
        insertPackage(data, pkg);
        return { status: 201, body: pkg };
      },
    },
  ];
}
