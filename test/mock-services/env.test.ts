import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_KEY_FILE,
  MockEnvError,
  mockOptionsFromEnv,
  startFailureLine,
} from '../../mock-services/env.js';
import { SERVICE_NAMES, startMockServices, URL_ENV } from '../../mock-services/index.js';
import { takePort } from '../helpers/taken-port.js';

/** What `npm run mocks` and `npm start` read from the environment, and say when they cannot start. */

describe('mockOptionsFromEnv', () => {
  it('reads the ports of UPSTREAM_*_URL, the seed sizes and the key file', () => {
    const options = mockOptionsFromEnv({
      UPSTREAM_DRONES_URL: 'http://127.0.0.1:0',
      UPSTREAM_PAYMENTS_URL: 'https://payments.example',
      MOCK_SEED: '7',
      MOCK_ACCOUNTS: '20',
      MOCK_DRONES: '',
      MOCK_KEY_FILE: '/tmp/key.json',
    });
    expect(options.ports).toEqual({
      accounts: 4101,
      deliveries: 4102,
      packages: 4103,
      drones: 0,
      payments: 443,
    });
    expect(options.seed).toEqual({ seed: 7, accounts: 20, drones: undefined });
    expect(options.keyFile).toBe('/tmp/key.json');
    expect(mockOptionsFromEnv({}).keyFile).toBe(DEFAULT_KEY_FILE);
  });

  it('names a bad variable with its value', () => {
    expect(() => mockOptionsFromEnv({ MOCK_ACCOUNTS: 'many' })).toThrow(
      new MockEnvError('MOCK_ACCOUNTS must be an integer, got "many"'),
    );
    expect(() => mockOptionsFromEnv({ UPSTREAM_DRONES_URL: 'not a url' })).toThrow(MockEnvError);
  });
});

describe('startFailureLine', () => {
  let blocker: Awaited<ReturnType<typeof takePort>>;
  let taken: number;
  beforeAll(async () => {
    blocker = await takePort();
    taken = blocker.port;
  });
  afterAll(() => blocker.release());

  it.each(SERVICE_NAMES)(
    'names %s, its port and its variable when the port is taken',
    async (name) => {
      const failure = await startMockServices({ ports: { [name]: taken } }).catch(
        (error: unknown) => error,
      );
      expect(startFailureLine(failure)).toBe(
        `the ${name} mock service cannot listen on 127.0.0.1:${taken}: the port is taken; set ${URL_ENV[name]} to another port`,
      );
    },
  );

  it('leaves any other failure to the caller', () => {
    expect(startFailureLine(new Error('EACCES'))).toBeUndefined();
  });
});
