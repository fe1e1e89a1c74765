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
