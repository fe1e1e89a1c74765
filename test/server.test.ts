import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../mock-services/index.js';

/** `npm run serve` as a deployment runs it: a child process, stopped by a signal. */

let mocks: MockServices;
beforeAll(async () => {
  mocks = await startMockServices();
});
afterAll(() => mocks.close());

function serve(env: Record<string, string>): {
  child: ChildProcess;
  url: Promise<string>;
  output: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)\/graphql/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

describe('npm run serve', () => {
  it('answers health checks and GraphiQL without a CDN, and exits 0 on SIGTERM', async () => {
    const { child, url } = serve({
      PORT: '0',
      NODE_ENV: 'development',
      UPSTREAM_ACCOUNTS_URL: mocks.urls.accounts,
      UPSTREAM_DELIVERIES_URL: mocks.urls.deliveries,
      UPSTREAM_PACKAGES_URL: mocks.urls.packages,
      UPSTREAM_DRONES_URL: mocks.urls.drones,
      UPSTREAM_PAYMENTS_URL: mocks.urls.payments,
    });
    const base = await url;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('MyDeliveries');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdn\./);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('stops at start with a message naming a bad variable', async () => {
    const { child, url, output } = serve({ PORT: 'not-a-port' });
    await expect(url).rejects.toThrow();
    expect(child.exitCode).toBe(2);
    expect(output()).toMatch(/PORT/);
  });
});
