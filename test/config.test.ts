import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it("defaults to the contract's ports and a 3 s budget", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.upstreams.drones).toBe('http://127.0.0.1:4104');
    expect(config.requestTimeoutMs).toBe(3000);
    expect(config.auth.jwksUrl).toBe('http://127.0.0.1:4101/.well-known/jwks.json');
  });

  it('reads the environment and ignores empty values', () => {
    const config = loadConfig({
      PORT: '8080',
      UPSTREAM_DRONES_URL: 'http://drones.internal:80/',
      HOST: '',
    });
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.upstreams.drones).toBe('http://drones.internal:80');
  });

  it('fails with a message naming each bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', UPSTREAM_DRONES_URL: 'ftp://x' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'eighty', UPSTREAM_DRONES_URL: 'ftp://x' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/UPSTREAM_DRONES_URL/);
    }
  });
});

describe('messages', () => {
  const messageOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('loadConfig accepted it');
  };

  it('names a bad general resilience value once, not once per upstream', () => {
    expect(messageOf({ UPSTREAM_TIMEOUT_MS: '-5' }).split('\n')).toEqual([
      'Invalid configuration:',
      '  UPSTREAM_TIMEOUT_MS: Too small: expected number to be >=1 (got "-5")',
    ]);
  });

  it("masks a URL's credentials and cuts a long value, since the message goes to the log", () => {
    expect(
      messageOf({ IDEMPOTENCY_STORE: 'redis+sentinel://:s3cret@pw@10.0.0.1:26379' }),
    ).toContain('(got "redis+sentinel://***@10.0.0.1:26379")');
    expect(messageOf({ RATE_LIMIT_STORE: 'redis+cluster://skyway:s3cret@' })).toContain(
      '(got "redis+cluster://***@")',
    );
    const long = messageOf({ UPSTREAM_DRONES_RETRIES: '9'.repeat(10_000) });
    expect(long).toContain(`(got "${'9'.repeat(200)}"… (cut at 200 characters))`);
    expect(long.length).toBeLessThan(400);
  });

  it('shows both values when one variable must exceed another', () => {
    expect(messageOf({ IDEMPOTENCY_LEASE_MS: '2000' })).toContain(
      'IDEMPOTENCY_LEASE_MS: must be above REQUEST_TIMEOUT_MS (got 2000, REQUEST_TIMEOUT_MS is 3000)',
    );
    expect(messageOf({ RATE_LIMIT_CAPACITY: '500', QUERY_MAX_COST: '800' })).toContain(
      'RATE_LIMIT_CAPACITY: must be at least QUERY_MAX_COST (got 500, QUERY_MAX_COST is 800)',
    );
  });
});

describe('resilience configuration', () => {
  it('applies a general setting to every upstream and a specific one to its upstream only', () => {
    const config = loadConfig({ UPSTREAM_TIMEOUT_MS: '700', UPSTREAM_DRONES_TIMEOUT_MS: '300' });
    expect(config.resilience.accounts.attemptTimeoutMs).toBe(700);
    expect(config.resilience.drones.attemptTimeoutMs).toBe(300);
  });

  it('names a bad per-upstream variable', () => {
    expect(() => loadConfig({ UPSTREAM_DRONES_BREAKER_THRESHOLD: '2' })).toThrow(
      /UPSTREAM_DRONES_BREAKER_THRESHOLD/,
    );
  });
});

describe('the README', () => {
  it('documents every variable the configuration reads', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = ENV_VARIABLES.filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });
});
