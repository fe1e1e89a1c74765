import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';

/** A browser opening /graphql in production learns that GraphiQL is off and how to get it. */

/** What Chromium sends when a person types the address. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let production: Harness;
let development: Harness;
beforeAll(async () => {
  [production, development] = await Promise.all([
    startHarness({ NODE_ENV: 'production' }),
    startHarness({ NODE_ENV: 'development' }),
  ]);
});
afterAll(() => Promise.all([production?.close(), development?.close()]));

const open = (harness: Harness, path: string, headers: Record<string, string> = {}) =>
  fetch(`${harness.server.url}${path}`, { headers: { accept: BROWSER_ACCEPT, ...headers } });

describe('GET /graphql from a browser', () => {
  it('in production, answers a short page saying GraphiQL is off and how to turn it on', async () => {
    for (const accept of [BROWSER_ACCEPT, 'text/html']) {
      const answer = await open(production, '/graphql', { accept });
      expect(answer.status).toBe(406);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await answer.text();
      expect(page).toContain('GraphiQL is off in production');
      expect(page).toContain('NODE_ENV=development npm run serve');
      expect(page).toContain('npm start');
    }
  });

  it('in production, still runs an operation sent by GET and still asks it for a CSRF header', async () => {
    const query = `/graphql?query=${encodeURIComponent('{ __typename }')}`;
    expect((await open(production, query)).status).toBe(403);
    const answer = await open(production, query, { 'x-graphql-yoga-csrf': '1' });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('in development, opens GraphiQL', async () => {
    const answer = await open(development, '/graphql');
    expect(answer.status).toBe(200);
    const page = await answer.text();
    expect(page).toContain('MyDeliveries');
    expect(page).not.toContain('GraphiQL is off');
  });
});
