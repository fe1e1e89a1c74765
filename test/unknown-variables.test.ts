import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../src/config.js';
import { unknownVariableWarnings } from '../src/unknown-variables.js';

describe('unknownVariableWarnings', () => {
  it('warns about a misspelled variable and names the one meant', () => {
    expect(
      unknownVariableWarnings({
        UPSTREAM_TIMOUT_MS: '300',
        UPSTREAM_DRONE_TIMEOUT_MS: '300',
        QUERY_MAX_COSTS: '500',
        RATE_LIMIT_CAPACTY: '2000',
        IDEMPOTENCY_LEASE: '20000',
        SKYWAY_PORT: '4000',
      }),
    ).toEqual([
      'unknown variable IDEMPOTENCY_LEASE; did you mean IDEMPOTENCY_LEASE_MS?',
      'unknown variable QUERY_MAX_COSTS; did you mean QUERY_MAX_COST?',
      'unknown variable RATE_LIMIT_CAPACTY; did you mean RATE_LIMIT_CAPACITY?',
      'unknown variable SKYWAY_PORT; Skyway reads no such variable',
      'unknown variable UPSTREAM_DRONE_TIMEOUT_MS; did you mean UPSTREAM_DRONES_TIMEOUT_MS?',
      'unknown variable UPSTREAM_TIMOUT_MS; did you mean UPSTREAM_TIMEOUT_MS?',
    ]);
  });

  it('says nothing about the variables it reads, per-upstream ones included, nor about others', () => {
    const every = Object.fromEntries(ENV_VARIABLES.map((name) => [name, '1']));
    expect(
      unknownVariableWarnings({
        ...every,
        UPSTREAM_PAYMENTS_BREAKER_OPEN_MS: '1',
        PATH: '/usr/bin',
        MOCK_SEED: '1',
      }),
    ).toEqual([]);
  });
});
