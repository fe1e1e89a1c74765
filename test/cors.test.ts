import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { type Harness, startHarness } from './helpers/harness.js';

/** Cross-origin callers (CORS_ORIGINS): only the listed origins, never with credentials. */

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example';

function preflight(harness: Harness, origin: string) {
  return fetch(`${harness.server.url}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

function simple(harness: Harness, origin: string) {
  return fetch(`${harness.server.url}/graphql`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
}

describe('with CORS_ORIGINS listing origins', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ CORS_ORIGINS: `${APP}, http://localhost:5173` });
  });
  afterAll(() => harness.close());

  it("a listed origin's preflight is allowed for itself, without credentials", async () => {
    const answer = await preflight(harness, APP);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(answer.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    expect(answer.headers.get('vary')).toMatch(/Origin/);
  });

  it("a listed origin's simple request is answered with its origin", async () => {
    const answer = await simple(harness, 'http://localhost:5173');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('an unlisted origin gets no CORS header, preflight or not, and the answer varies by Origin', async () => {
    for (const answer of [await preflight(harness, EVIL), await simple(harness, EVIL)]) {
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      expect(answer.headers.get('vary')).toMatch(/Origin/);
    }
  });
});

describe('with CORS_ORIGINS=*', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ CORS_ORIGINS: '*' });
  });
  afterAll(() => harness.close());

  it('any origin may call, never with credentials', async () => {
    for (const answer of [await preflight(harness, EVIL), await simple(harness, EVIL)]) {
      expect(answer.headers.get('access-control-allow-origin')).toBe(EVIL);
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});

describe('the setting', () => {
  it('takes exact origins or * alone, and refuses anything else', () => {
    expect(loadConfig({ CORS_ORIGINS: `${APP},http://127.0.0.1:8080` }).corsOrigins).toEqual([
      APP,
      'http://127.0.0.1:8080',
    ]);
    expect(loadConfig({}).corsOrigins).toEqual([]);
    for (const bad of [`${APP}/`, 'app.example.com', `*,${APP}`, `${APP}/path`]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(ConfigError);
    }
  });
});
