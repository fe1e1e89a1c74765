import { isDispatcher } from '../auth/caller.js';
import { Weight } from '../cost/directives.js';
import { PACKAGE_SIZES, type PackageRecord } from '../upstreams/records.js';
import { loadVisible } from './authorize.js';
import { builder } from './builder.js';

export const PackageSizeEnum = builder.enumType('PackageSize', { values: PACKAGE_SIZES });

export const PackageRef = builder.objectRef<PackageRecord>('Package');

builder.node(PackageRef, {
  description: 'What a delivery carries, from the packages service.',
  // One record read from its service wherever it appears.
  directives: { cost: { weight: Weight.UPSTREAM_RECORD } },
  id: { resolve: (pkg) => pkg.id },
  // A package record does not name its delivery, so ownership cannot be checked from it:
  // customers reach their packages through their deliveries; node(id:) is for dispatchers.
  loadMany: (ids, ctx) => loadVisible(ctx, ids, ctx.loaders.packages, isDispatcher),
  fields: (t) => ({
    size: t.expose('size', { type: PackageSizeEnum }),
    weightKg: t.exposeFloat('weightKg'),
    tag: t.exposeString('tag', { nullable: true }),
  }),
});

export const PackageInput = builder.inputType('PackageInput', {
  fields: (t) => ({
    size: t.field({ type: PackageSizeEnum, required: true }),
    weightKg: t.float({ required: true }),
    tag: t.string(),
  }),
});
