import { ENV_VARIABLES, UPSTREAM_NAMES } from '../../src/config.js';
import { RESILIENCE_SETTINGS } from '../../src/resilience/env.js';

/**
 * Whether a deployment file's variable is one the BFF reads: a row of `src/config.ts`, or a
 * per-upstream resilience setting (`UPSTREAM_DRONES_TIMEOUT_MS`).
 */
export function isKnownVariable(name: string): boolean {
  if (ENV_VARIABLES.includes(name)) return true;
  return UPSTREAM_NAMES.some((upstream) =>
    Object.keys(RESILIENCE_SETTINGS).some(
      (setting) => name === `UPSTREAM_${upstream.toUpperCase()}_${setting}`,
    ),
  );
}
