// How `npm run mocks` and `npm start` read the mocks' settings from the environment, so both
// commands honour the same variables: the ports of the BFF's UPSTREAM_*_URL, MOCK_HOST,
// MOCK_SEED, MOCK_ACCOUNTS, MOCK_DRONES and MOCK_KEY_FILE.

import { fileURLToPath } from 'node:url';
import { PortTakenError } from './http/server.js';
import type { MockServicesOptions } from './index.js';
import { byService, DEFAULT_PORTS, SERVICE_NAMES, URL_ENV } from './names.js';

/** Git-ignored; the accounts service's signing key lives here so development tokens outlive a restart. */
export const DEFAULT_KEY_FILE = fileURLToPath(
  new URL('../.skyway-dev/accounts-signing-key.json', import.meta.url),
);

/** A variable the mocks cannot use, named with its value. */
export class MockEnvError extends Error {
  override readonly name = 'MockEnvError';
}

export function mockOptionsFromEnv(env: Record<string, string | undefined>): MockServicesOptions {
  const set = (variable: string) => (env[variable] === '' ? undefined : env[variable]);
  const integer = (variable: string): number | undefined => {
    const value = set(variable);
    if (value === undefined) return undefined;
    if (!/^-?[0-9]+$/.test(value)) {
      throw new MockEnvError(`${variable} must be an integer, got "${value}"`);
    }
    return Number(value);
  };
  const port = (variable: string, fallback: number): number => {
    const value = set(variable);
    if (value === undefined) return fallback;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new MockEnvError(`${variable} must be a URL, got "${value}"`);
    }
    if (url.port !== '') return Number(url.port);
    return url.protocol === 'https:' ? 443 : 80;
  };
  return {
    host: set('MOCK_HOST') ?? '127.0.0.1',
    ports: byService((name) => port(URL_ENV[name], DEFAULT_PORTS[name])),
    seed: {
      seed: integer('MOCK_SEED'),
      accounts: integer('MOCK_ACCOUNTS'),
      drones: integer('MOCK_DRONES'),
    },
    keyFile: set('MOCK_KEY_FILE') ?? DEFAULT_KEY_FILE,
  };
}

/**
 * The one line a person needs when the mocks cannot start for a reason they can fix (a taken
 * port, a bad variable), naming what to change; undefined for anything else.
 */
export function startFailureLine(error: unknown): string | undefined {
  if (error instanceof MockEnvError) return error.message;
  if (error instanceof PortTakenError) {
    const service = SERVICE_NAMES.find((name) => name === error.service);
    const variable = service === undefined ? 'its URL variable' : URL_ENV[service];
    return `${error.message}; set ${variable} to another port`;
  }
  return undefined;
}
