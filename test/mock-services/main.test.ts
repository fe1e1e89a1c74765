// `npm run mocks` as a user runs it: a child process, on the ports the UPSTREAM_*_URL variables
// name, that answers and stops with exit code 0 on SIGTERM and SIGINT.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, URL_ENV } from '../../mock-services/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const keyDir = mkdtempSync(join(tmpdir(), 'skyway-mocks-key-'));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts main.ts with tsx, as `npm run mocks` does; resolves once all five print their URL. */
async function startMain(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(
    process.execPath,
    [`${root}node_modules/tsx/dist/cli.mjs`, 'mock-services/main.ts'],
    {
      cwd: root,
      // A key of its own, not the developer's .skyway-dev/ one.
      env: { ...process.env, MOCK_KEY_FILE: join(keyDir, 'key.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      if (lines.length >= SERVICE_NAMES.length) resolve();
    });
    child.once('exit', (code) => reject(new Error(`main.ts exited with ${code}: ${stderr}`)));
  });
  return { child, lines };
}

describe('main.ts', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'serves on the UPSTREAM_*_URL ports and stops with 0 on %s',
    async (signal) => {
      const ports = await Promise.all(SERVICE_NAMES.map(() => freePort()));
      const env: Record<string, string> = { MOCK_ACCOUNTS: '20', MOCK_DRONES: '5', MOCK_SEED: '3' };
      SERVICE_NAMES.forEach((name, i) => {
        env[URL_ENV[name]] = `http://127.0.0.1:${ports[i]}`;
      });
      const { child, lines } = await startMain(env);
      try {
        expect(lines.slice(0, 5)).toEqual(
          SERVICE_NAMES.map((name, i) => `${name.padEnd(10)} http://127.0.0.1:${ports[i]}`),
        );
        const drone = await fetch(`http://127.0.0.1:${ports[3]}/v1/drones/drn_005`);
        expect(drone.status).toBe(200);
        const accounts = (await (
          await fetch(`http://127.0.0.1:${ports[0]}/v1/accounts?limit=100`)
        ).json()) as { data: unknown[] };
        expect(accounts.data).toHaveLength(20);
      } finally {
        child.kill(signal);
      }
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    },
  );
});
