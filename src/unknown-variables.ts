// graphql-js's own "Did you mean …?" ranking (lexical distance, the same one its validation
// messages use): internal to the package but a plain file of the pinned version, and better
// kept than a distance function of our own.
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { ENV_VARIABLES, UPSTREAM_NAMES } from './config.js';
import { RESILIENCE_SETTINGS } from './resilience/env.js';

/**
 * Variables that look like Skyway's but are not read by it: a misspelled
 * `UPSTREAM_TIMOUT_MS` would otherwise be ignored without a word and the default used. Only
 * names under Skyway's own prefixes are judged; the rest of the environment is not ours.
 */

const PREFIXES = ['SKYWAY_', 'UPSTREAM_', 'QUERY_', 'RATE_LIMIT_', 'IDEMPOTENCY_'];

/** Every name under those prefixes that the configuration reads, per-upstream overrides included. */
const KNOWN: readonly string[] = [
  ...ENV_VARIABLES,
  ...UPSTREAM_NAMES.flatMap((name) =>
    Object.keys(RESILIENCE_SETTINGS).map((setting) => `UPSTREAM_${name.toUpperCase()}_${setting}`),
  ),
];
const known = new Set(KNOWN);

/** One warning per unknown variable: `unknown variable X; did you mean Y?`. */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => PREFIXES.some((prefix) => name.startsWith(prefix)) && !known.has(name))
    .sort()
    .map((name) => {
      const [closest] = suggestionList(name, KNOWN);
      return closest === undefined
        ? `unknown variable ${name}; Skyway reads no such variable`
        : `unknown variable ${name}; did you mean ${closest}?`;
    });
}
