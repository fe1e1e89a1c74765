import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../mock-services/index.js';
import { startBffProcess, upstreamEnv } from './helpers/bff-process.js';

/** `npm run serve` as a deployment runs it: a child process, stopped by a signal. */

let mocks: MockServices;
beforeAll(async () => {
  mocks = await startMockServices();
});
afterAll(() => mocks.close());

describe('npm run serve', () => {
  it('answers health checks and GraphiQL without a CDN, and exits 0 on SIGTERM', async () => {
    const bff = startBffProcess({ NODE_ENV: 'development', ...upstreamEnv(mocks) });
    const base = await bff.url;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('MyDeliveries');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdn\./);

    expect(await bff.stop('SIGTERM')).toBe(0);
  });

  it('stops at start with a message naming a bad variable', async () => {
    const bff = startBffProcess({ PORT: 'not-a-port' });
    await expect(bff.url).rejects.toThrow();
    expect(await bff.stop()).toBe(2);
    expect(bff.output()).toMatch(/PORT/);
  });
});
