import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../mock-services/index.js';
import { startBffProcess, upstreamEnv } from './helpers/bff-process.js';
import { serveOnTakenPort } from './helpers/taken-port.js';

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
    // Its output is a JSON log, the shutdown included: no line of plain text among it.
    const lines = bff
      .output()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg?: string; signal?: string });
    expect(lines.filter((line) => line.msg === 'shutting down')).toMatchObject([
      { signal: 'SIGTERM' },
    ]);
  });

  it('warns once about a misspelled variable, naming the one meant', async () => {
    const bff = startBffProcess({ UPSTREAM_TIMOUT_MS: '300', ...upstreamEnv(mocks) });
    await bff.url;
    expect(await bff.stop('SIGTERM')).toBe(0);
    const warnings = bff.output().match(/^warning: .*$/gm);
    expect(warnings).toEqual([
      'warning: unknown variable UPSTREAM_TIMOUT_MS; did you mean UPSTREAM_TIMEOUT_MS?',
    ]);
  });

  it.each([
    ['PORT', 'the BFF'],
    ['METRICS_PORT', "the BFF's metrics endpoint"],
  ])(
    'says in one line that %s is taken and which variable moves it, exit 2',
    async (variable, what) => {
      const { port, listened, exitCode, output } = await serveOnTakenPort(
        variable,
        upstreamEnv(mocks),
      );
      expect(listened).toBe(false);
      expect(exitCode).toBe(2);
      expect(output).toBe(
        `${what} cannot listen on 127.0.0.1:${port}: the port is taken; set ${variable} to another port (0 picks a free one)\n`,
      );
    },
  );

  it('says in one line that the persisted-documents manifest cannot be read, exit 2', async () => {
    const bff = startBffProcess({
      PERSISTED_DOCUMENTS: 'require',
      PERSISTED_DOCUMENTS_MANIFEST: '/nonexistent/persisted-documents.json',
      ...upstreamEnv(mocks),
    });
    await expect(bff.url).rejects.toThrow();
    expect(await bff.stop()).toBe(2);
    expect(bff.output()).toMatch(
      /^PERSISTED_DOCUMENTS_MANIFEST: cannot read \/nonexistent\/persisted-documents\.json as JSON \(.*\); run `npm run codegen`\n$/,
    );
  });

  it('stops at start with a message naming a bad variable', async () => {
    const bff = startBffProcess({ PORT: 'not-a-port' });
    await expect(bff.url).rejects.toThrow();
    expect(await bff.stop()).toBe(2);
    expect(bff.output()).toMatch(/PORT/);
  });
});
