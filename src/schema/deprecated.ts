import { builder } from './builder.js';
import { PackageRef } from './package.js';

/**
 * Fields on their way out. Each is marked `@deprecated` with its removal date, and carries the
 * dates in its extensions so that `use-deprecation-signals.ts` can tell clients that use it
 * (`Deprecation` and `Sunset` headers, `extensions.deprecations`) and count them by client:
 * a field is removed once that count has been zero for a release cycle.
 */

export interface DeprecationDates {
  /** When the field was deprecated (ISO date). */
  deprecatedOn: string;
  /** When it may be removed (ISO date). */
  sunset: string;
}

const PACKAGE_WEIGHT: DeprecationDates = { deprecatedOn: '2026-11-24', sunset: '2027-06-30' };

builder.objectField(PackageRef, 'weight', (t) =>
  t.string({
    description: 'The weight as text, e.g. "2.5 kg".',
    deprecationReason: `Use weightKg. Removal after ${PACKAGE_WEIGHT.sunset}.`,
    extensions: { deprecation: PACKAGE_WEIGHT },
    resolve: (pkg) => `${pkg.weightKg} kg`,
  }),
);
